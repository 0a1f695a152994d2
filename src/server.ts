import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { MikroORM } from '@mikro-orm/postgresql';
import compression from 'compression';
import cors from 'cors';
import express from 'express';
import type { Redis } from 'ioredis';
import { credentialFrom } from './auth/authenticate';
import { CredentialProber } from './auth/credential-probe';
import { apolloHandler, apolloRunner } from './http/apollo-handler';
import { graphqlHttpStatus } from './http/http-status.plugin';
import { jitGateway } from './http/jit-gateway';
import { securityHeaders } from './http/security-headers';
import { RelationCatalog } from './cache/read-set';
import { ResponseCache } from './cache/response-cache';
import { responseCacheLookup } from './cache/response-cache.middleware';
import { responseCacheStore } from './cache/response-cache.plugin';
import { cacheableRequests } from './cache/cacheable-operation';
import type { Config } from './config';
import { createContext, type Context } from './context';
import { pendingMigrations } from './db/migrator';
import { isDatabaseUnavailable } from './db/unavailable';
import { serviceUnavailable } from './errors';
import { errorFormatter } from './http/format-error';
import { graphQLRoute, isGraphQLPath, type GraphQLRouteOptions, type Middleware } from './http/graphql-route';
import { answerEdgeError } from './http/http-error';
import { inputGuard, verifyJsonShape } from './http/input-guard';
import { startSubscriptions } from './http/subscriptions';
import type { GraphQLHttpRequest, HttpRequestState } from './http/request-state';
import { statsCsvRoute } from './http/stats-csv-route';
import { STATS_CSV_FIELDS } from './http/stats-csv-table';
import { logger } from './logger';
import { observeRequest, operationLabel, outcomeOf, watchPool, type PoolStats } from './metrics/metrics';
import { metricsRoute } from './metrics/metrics-route';
import { requestReportPlugin } from './http/request-report.plugin';
import { explorerAssets, explorerPage, wantsExplorer } from './http/explorer';
import { buildAppSchema } from './schema';
import type { Services } from './services';

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const sqlCountHeader: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        response.http.headers.set('x-sql-statements', String(contextValue.queryCount.statements));
      },
    };
  },
};

const redisAnswers = async (redis: Redis) => {
  try {
    return (await Promise.race([redis.ping(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000).unref())])) === 'PONG';
  } catch {
    return false;
  }
};

/** HTTP, GraphQL and its subscriptions on one port. The ORM, services and Redis are owned by the caller. */
export async function startServer(config: Config, orm: MikroORM, services: Services, redis: Redis | null): Promise<RunningServer> {
  const helmetOptions = {
    // Answers are JSON, which runs nothing: nothing may load or frame anything. The explorer's
    // page and files (http/explorer.ts) set a policy of their own, for this server alone.
    contentSecurityPolicy: { useDefaults: false as const, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  };
  const setSecurityHeaders = securityHeaders(helmetOptions);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use((_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });
  let graphql: http.RequestListener | null = null;
  // /graphql bypasses Express (graphql-route.ts); everything else (health, readiness) goes through it.
  const httpServer = http.createServer((req, res) => {
    if (config.explorer && wantsExplorer(req)) {
      setSecurityHeaders(res);
      explorerPage(res);
    } else if (graphql && isGraphQLPath(req.url)) graphql(req, res);
    else app(req, res);
  });

  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.depth, flattenFragments: true },
    maxAliases: { n: config.limits.aliases },
    maxDirectives: { n: config.limits.directives },
    // graphql-js's own parser counts tokens (parseOptions below) inside Apollo's parse step,
    // so a long document is a 400 parse failure; armor's plugin throws before that step (a 500).
    maxTokens: { enabled: false },
    costLimit: { maxCost: config.limits.cost },
    // errorFormatter hides every kind of suggestion, fields' included.
    blockFieldSuggestion: { enabled: false },
  });
  const protection = armor.protect();

  const schema = await buildAppSchema();
  const subscriptions = startSubscriptions(httpServer, { config, orm, services, schema, validationRules: protection.validationRules });
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema),
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    parseOptions: { maxTokens: config.limits.tokens },
    formatError: errorFormatter(config.production),
    plugins: [
      ...protection.plugins,
      ...(config.diagnosticHeaders ? [sqlCountHeader] : []),
      graphqlHttpStatus,
      requestReportPlugin,
      responseCacheStore,
      // Assay sets no cache hints; the default plugin would still wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      // Browsers get Assay's own explorer (http/explorer.ts), which loads nothing from elsewhere.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  watchPool(() => (orm.em.getKnex().client as { pool?: PoolStats }).pool);
  app.get('/metrics', metricsRoute(config.metricsToken));
  if (config.explorer) {
    // Outside production (the embedded default among them) the first tab signs in as a demo
    // account; in production it shows placeholders.
    app.get('/explorer/:file', explorerAssets({ demo: config.production ? null : { email: 'teacher1@example.edu', password: config.demoPassword } }));
  }
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  let stopping = false;
  app.get('/readyz', async (_req, res) => {
    // Load balancers stop sending new work while requests in flight finish.
    if (stopping) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    try {
      await orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrations(orm);
      if (pending.length > 0) {
        res.status(503).json({ status: 'migrations pending', pending });
        return;
      }
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
      return;
    }
    // Without Redis this instance still serves: login counters fall back to PostgreSQL and
    // subscribers learn of other instances' flags by polling. Every instance shares the one
    // Redis, so answering 503 would take them all out of a load balancer at once.
    if (redis && !(await redisAnswers(redis))) {
      res.json({ status: 'degraded', redis: 'unreachable' });
      return;
    }
    res.json({ status: 'ready' });
  });

  const responseCache =
    config.responseCache.maxBytes > 0
      ? responseCacheLookup(
          new ResponseCache(config.responseCache),
          new CredentialProber(orm.em, services.tokens),
          await RelationCatalog.load(orm.em.fork()),
          cacheableRequests(schema, config.limits.tokens),
          config.diagnosticHeaders,
        )
      : null;
  const answered: GraphQLRouteOptions['answered'] = ({ requestId, report, status, seconds, statements }) => {
    const operation = operationLabel(report.operation);
    const outcome = outcomeOf(status, report.errors);
    observeRequest(operation, outcome, seconds, statements);
    logger.info({ requestId, operation: report.operation, principal: report.principal, durationMs: Math.round(seconds * 10_000) / 10, statements, status, outcome }, 'graphql request');
  };
  const contextOf = async (req: GraphQLHttpRequest, state: HttpRequestState): Promise<Context> => {
    // Authentication runs plain statements and maps rows: the root EntityManager serves
    // it without an identity map, so a request that reads nothing never forks one.
    const { viewer, authError } = await services.authenticator
      .authenticate(orm.em, credentialFrom(req.headers), state.credentialProbe)
      .catch((error: unknown) => {
        if (!isDatabaseUnavailable(error)) throw error;
        logger.warn({ err: error, requestId: state.requestId }, 'database unavailable');
        throw serviceUnavailable(state.requestId);
      });
    return createContext({
      em: () => orm.em.fork(),
      viewer,
      authError,
      services,
      requestId: state.requestId,
      queryCount: state.queryCount,
      ip: state.ip,
      userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
      responseCache: state.responseCache ?? null,
      report: state.report,
    });
  };
  const guard = inputGuard(config.limits);
  // Grouped statistics as CSV for notebooks: the same operations, run through Apollo as /graphql runs them.
  const run = apolloRunner(apollo, contextOf);
  for (const [path, field] of Object.entries(STATS_CSV_FIELDS)) {
    app.get(path, statsCsvRoute(field, { schema, trustProxy: config.trustProxy, bodyLimit: config.bodyLimit, guard, run, answered }));
  }
  graphql = graphQLRoute({
    // Answers carry tokens, keys and per-caller data: no browser or proxy may keep them.
    headers: securityHeaders(helmetOptions, { 'cache-control': 'no-store' }),
    cors: cors({ origin: config.corsOrigin === '*' ? '*' : config.corsOrigin.split(',').map((o) => o.trim()) }) as Middleware,
    readBody: express.json({ limit: config.bodyLimit, verify: verifyJsonShape(config.limits) }) as Middleware,
    guard,
    cache: responseCache,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    answered,
    // Compression is Apollo's answers' only: a cache hit sends a body compressed once, not per response.
    execute: apolloHandler(apollo, contextOf, compression() as Middleware),
  });

  app.use((error: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    answerEdgeError(res, error, config.bodyLimit);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    stop: () => {
      stopping = true;
      return apollo.stop();
    },
  };
}
