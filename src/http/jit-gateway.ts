import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { inputDefaults } from './input-defaults';

/**
 * graphql-jit's errors lack `extensions`, which Apollo's error formatting expects; the same
 * error rebuilt by graphql-js keeps message, nodes, path and the resolver's original error
 * (whose code Assay's formatter reads).
 */
const apolloReady = (error: GraphQLError) =>
  new GraphQLError(error.message, { nodes: error.nodes, path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? {} });

/**
 * Executes operations with graphql-jit, which compiles each document once into a function
 * (about three times faster than graphql-js on a page of 50 rows with their relations).
 * Apollo Server 5 has no executor option; a gateway is its one way to replace execution,
 * and Apollo still parses, validates, runs plugins and formats errors around it. Compiled
 * operations are kept per parsed document, which Apollo's document store already keeps
 * for a query it has seen.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  const withDefaults = inputDefaults(schema);
  type Compiled = Map<string, CompiledQuery | ExecutionResult>;
  const compiled = new WeakMap<DocumentNode, Compiled>();
  const compile = (document: DocumentNode, operationName: string | undefined) => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map() as Compiled));
    const key = operationName ?? '';
    let query = byName.get(key);
    if (!query) byName.set(key, (query = compileQuery(schema, document, operationName)));
    return query;
  };
  const executor: GatewayExecutor = async ({ document, operation, request, context }) => {
    // Apollo hands a gateway the request as it is even when no operation matches its name.
    if (!operation) {
      const message = request.operationName ? `Unknown operation named "${request.operationName}".` : 'Name the operation to run: the document holds several.';
      return { errors: [new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })] };
    }
    const query = compile(document, request.operationName);
    const variables = request.variables ?? {};
    const definitions = operation.variableDefinitions ?? [];
    const result = isCompiledQuery(query) ? await query.query(undefined, context, withDefaults(definitions, variables)) : query;
    // A result without data is graphql-jit refusing the variables. graphql-js coerces them
    // again only then, to say why as it does: with the scalar's own message, and in the
    // shape Apollo answers with 400. Coercing every request twice cost a tenth of a batch
    // of 100 proctoring events.
    if (!('data' in result)) {
      const coerced = getVariableValues(schema, definitions, variables);
      if (coerced.errors) return { errors: coerced.errors };
    }
    return result.errors ? { ...result, errors: result.errors.map(apolloReady) } : result;
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}
