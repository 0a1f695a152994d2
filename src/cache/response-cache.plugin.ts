import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { isCacheable } from './cacheable';

/** Only a query made of plain root fields, every one marked @Cacheable, is stored. */
function cacheableOperation(operation: OperationDefinitionNode, schema: GraphQLSchema): boolean {
  if (operation.operation !== OperationTypeNode.QUERY) return false;
  const fields = schema.getQueryType()?.getFields() ?? {};
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (selection.name.value === '__typename' || isCacheable(fields[selection.name.value]?.extensions)),
  );
}

/**
 * Hands the serialized body of a cacheable, error-free result to the lookup middleware,
 * which stores it once the response has gone out as a 200 (response-cache.middleware.ts).
 */
export const responseCacheStore: ApolloServerPlugin<Context> = {
  async requestDidStart({ contextValue }) {
    const pending = contextValue.responseCache;
    if (!pending) return;
    return {
      async willSendResponse({ response, operation, schema }) {
        if (response.body.kind !== 'single' || !operation || !cacheableOperation(operation, schema)) return;
        const { errors, data, extensions } = response.body.singleResult;
        if (errors?.length || data == null) return;
        // The same serialization Apollo sends, so a hit is byte for byte the first answer.
        pending.body = `${JSON.stringify({ data, extensions })}\n`;
      },
    };
  },
};
