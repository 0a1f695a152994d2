import type http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { LRUCache } from 'lru-cache';
import { WebSocketServer, type WebSocket } from 'ws';
import { credentialFromParams } from '../auth/authenticate';
import { hasScope, type Viewer } from '../auth/viewer';
import type { Config } from '../config';
import { createContext, type Context, type LiveConnection } from '../context';
import type { Services } from '../services';
import { contextsPerTurn, oncePerTurn, sharedExecutions } from './delivery-sharing';
import { deliverDirectly, type Outlet } from './direct-delivery';
import { errorFormatter } from './format-error';
import { documentLimits, variablesProblem } from './input-guard';
import { documentProblem } from './document-scan';
import { badInput } from '../errors';
import { createLoaders } from '../loaders';
import { perTurn } from '../loaders/batching';
import { subscribersConnected } from '../metrics/metrics';

/** What graphql-ws keeps per connection: its socket, and the credential it proved at connect. */
interface Connection {
  [key: PropertyKey]: unknown;
  socket: WebSocket;
  request: http.IncomingMessage;
  credential?: string;
  expiry?: NodeJS.Timeout;
}

export interface SubscriptionOptions {
  config: Config;
  orm: MikroORM;
  services: Services;
  schema: GraphQLSchema;
  /** The same document limits as HTTP (depth, aliases, cost). */
  validationRules: ValidationRule[];
}

/**
 * How long a connection's accepted credential stands without asking again when no change of
 * access was announced: what the registry cannot announce (an API key reaching its expiry)
 * is noticed within it.
 */
const REMEMBERED_MS = 1000;

const requestError = (message: string) => new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

/**
 * graphql-ws on the HTTP server's port and path. A connection proves who it is in
 * `connectionParams` (4401 when it cannot, 4403 for an API key without `subscribe`) and is
 * closed when its access token expires; every delivery re-authenticates (LiveConnection).
 * Only subscriptions run here: queries and mutations go over HTTP, with its limits.
 */
export function startSubscriptions(httpServer: http.Server, options: SubscriptionOptions): { dispose(): Promise<void> } {
  const { config, orm, services, schema } = options;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const format = errorFormatter(config.production);
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => format(e.toJSON(), e));

  const close = (connection: Connection, code: number, reason: string) => {
    if (connection.expiry) clearTimeout(connection.expiry);
    connection.socket.close(code, reason.slice(0, 120));
  };

  const state = (connection: Connection) => ({
    services,
    requestId: `ws:${connection.request.headers['sec-websocket-key'] ?? 'unknown'}`,
    queryCount: { statements: 0 },
    ip: connection.request.socket.remoteAddress ?? 'unknown',
    userAgent: connection.request.headers['user-agent']?.slice(0, 512) ?? null,
  });

  // A delivery's context belongs to no connection: the connections of one principal share
  // it within a turn of the event loop (delivery-sharing.ts), and sources keep their own.
  const deliveryContext = contextsPerTurn(
    () => {
      const em = orm.em.fork();
      return { em, loaders: createLoaders(em, perTurn, services.access) };
    },
    (viewer, connection: Connection, shared) => createContext({ ...state(connection), ...shared, viewer, authError: null, live: null }),
  );

  const authenticateInTurn = oncePerTurn((credential) => services.authenticator.authenticate(orm.em, credential || null));

  const contextFor = (ctx: WsContext<Record<string, unknown>, Connection>, viewer: Viewer | null, authError: string | null): Context => {
    const connection = ctx.extra;
    let accepted: { viewer: Viewer; ticket: number | null; at: number } | null = null;
    const live: LiveConnection = {
      refresh: async () => {
        const [ticket, at] = [services.access.ticket(), Date.now()];
        const auth = await authenticateInTurn(connection.credential ?? '');
        if (!auth.viewer) {
          accepted = null;
          close(connection, CloseCode.Unauthorized, auth.authError ?? 'Credential no longer valid');
          return null;
        }
        accepted = { viewer: auth.viewer, ticket, at };
        return deliveryContext(auth.viewer, connection);
      },
      remembered: () =>
        accepted && Date.now() - accepted.at < REMEMBERED_MS && services.access.unchangedSince(accepted.ticket) ? accepted.viewer : null,
      close: (code, reason) => close(connection, code, reason),
      credentialKey: connection.credential ?? '',
    };
    return createContext({ ...state(connection), em: orm.em.fork(), viewer, authError, live });
  };

  // Subscribers of one dashboard send the same text: parsed once, one document to share executions by.
  const documents = new LRUCache<string, DocumentNode>({ max: 500 });
  const outlets = new WeakMap<Context, Outlet>();
  // One result shared by the connections of a principal is serialized once for all of them.
  const payloads = new WeakMap<ExecutionResult, string>();
  const serialized = (result: ExecutionResult) => {
    let payload = payloads.get(result);
    if (payload === undefined) payloads.set(result, (payload = JSON.stringify(result.errors ? { ...result, errors: formatAll(result.errors) } : result)));
    return payload;
  };

  const server = useServer<Record<string, unknown>, Connection>(
    {
      schema,
      onConnect: async (ctx) => {
        const connection = ctx.extra;
        const credential = credentialFromParams(ctx.connectionParams);
        if (!credential) {
          close(connection, CloseCode.Unauthorized, 'Send an access token (authorization) or an API key (apiKey) in connectionParams');
          return false;
        }
        const { viewer, authError } = await services.authenticator.authenticate(orm.em.fork(), credential);
        if (!viewer) {
          close(connection, CloseCode.Unauthorized, authError ?? 'Invalid credential');
          return false;
        }
        if (!hasScope(viewer, 'subscribe')) {
          close(connection, CloseCode.Forbidden, 'This API key lacks the subscribe scope');
          return false;
        }
        connection.credential = credential;
        subscribersConnected.inc();
        if (viewer.accessExpiresAt) {
          const left = viewer.accessExpiresAt.getTime() - Date.now();
          connection.expiry = setTimeout(() => close(connection, CloseCode.Unauthorized, 'Token expired'), Math.max(left, 0));
          connection.expiry.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.expiry) clearTimeout(ctx.extra.expiry);
        if (ctx.extra.credential) subscribersConnected.dec();
      },
      onSubscribe: async (ctx, id, payload) => {
        let document = documents.get(payload.query);
        // The edge's refusals, as for HTTP: graphql-ws has parsed the frame, within maxPayload.
        const refusal = variablesProblem(payload.variables, config.limits.jsonDepth) ?? (document ? null : documentProblem(payload.query, documentLimits(config.limits)));
        if (refusal) return [badInput(refusal)];
        try {
          document ??= parse(payload.query, { maxTokens: config.limits.tokens });
        } catch (error) {
          return [requestError(error instanceof GraphQLError ? error.message : 'The document does not parse')];
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [requestError('Name the operation to run')];
        if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return [requestError('Only subscriptions run over WebSocket; send queries and mutations over HTTP')];
        const problems = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (problems.length) return problems.map((p) => requestError(p.message));
        // Refused here, as request errors like HTTP's, rather than as an execution result.
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
        if (coerced.errors) return coerced.errors.map((e) => requestError(e.message));
        documents.set(payload.query, document);
        const { viewer, authError } = await services.authenticator.authenticate(orm.em.fork(), ctx.extra.credential ?? null);
        const contextValue = contextFor(ctx, viewer, authError);
        outlets.set(contextValue, { id, socket: ctx.extra.socket });
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      subscribe: deliverDirectly({ execute: sharedExecutions(), outletOf: (context) => outlets.get(context), serialized }),
      // What graphql-ws sends itself: a subscription's field refusing or failing as it starts.
      // Deliveries are formatted where they are serialized.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : result),
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wsServer,
  );
  return {
    dispose: async () => {
      await server.dispose();
    },
  };
}
