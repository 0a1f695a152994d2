import type { ApolloServerPlugin } from '@apollo/server';

/**
 * An operation that produced nothing (data null) because of the client's input alone, such
 * as an undecodable cursor or an input that failed validation, answers 400 like the
 * requests refused before execution. An answer with data stays 200, errors and all.
 */
export const inputErrorStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        if (data == null && errors?.length && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT')) {
          response.http.status = 400;
        }
      },
    };
  },
};
