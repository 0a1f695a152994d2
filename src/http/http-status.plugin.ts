import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import accepts from 'accepts';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

/**
 * The media type of a single answer, chosen as Apollo chooses it: application/json when the
 * client names no preference (no Accept, or `*\/*`), null when it accepts neither (Apollo answers 406).
 */
export function answerMediaType(accept: string | undefined): string | null {
  if (!accept) return JSON_TYPE;
  const chosen = accepts({ headers: { accept } } as IncomingMessage).type([JSON_TYPE, GRAPHQL_RESPONSE]);
  return typeof chosen === 'string' ? chosen : null;
}

/**
 * Status codes as the GraphQL-over-HTTP specification gives them for each media type.
 * - application/graphql-response+json: 4xx for a request that failed before execution
 *   (parse, validation, variable coercion: Apollo's 400), and 400 for an operation that
 *   produced nothing (data null) only because of the client's input, such as an undecodable
 *   cursor or an input that failed validation. An answer with data is 200, errors and all.
 * - application/json, for clients that predate it: 200 for every well-formed request (one
 *   whose document was read), whatever errors the answer carries. Requests that are not
 *   well-formed (no query) keep their 400, a mutation over GET its 405.
 */
export const graphqlHttpStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ request, response, source }) {
        if (response.body.kind !== 'single') return;
        const type = answerMediaType(request.http?.headers.get('accept'));
        if (type === JSON_TYPE) {
          if (source !== undefined && response.http.status === 400) response.http.status = 200;
          return;
        }
        const { data, errors } = response.body.singleResult;
        if (data == null && errors?.length && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT')) {
          response.http.status = 400;
        }
      },
    };
  },
};
