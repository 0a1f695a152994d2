import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { cacheableOperation } from './cacheable-operation';

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
