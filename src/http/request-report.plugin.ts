import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';

/** Tells a request's report which operation Apollo resolved and how many errors its answer carries. */
export const requestReportPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operationName }) {
        if (contextValue.report && operationName) contextValue.report.operation = operationName;
      },
      async willSendResponse({ contextValue, response }) {
        if (contextValue.report && response.body.kind === 'single') contextValue.report.errors = response.body.singleResult.errors?.length ?? 0;
      },
    };
  },
};
