import type { ServerResponse } from 'node:http';
import type { HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { withQueryCount } from '../db/query-counter';
import { isPublicCode, type ErrorCode } from '../errors';
import { headerMapOf } from './apollo-handler';
import { csvText } from './csv';
import { newRequestState, proxyTrust, type GraphQLRouteOptions } from './graphql-route';
import { answerEdgeError, type EdgeError } from './http-error';
import type { GraphQLHttpInput } from './input-guard';
import type { GraphQLHttpRequest, HttpRequestState } from './request-state';
import { statsCsvOperation } from './stats-csv-operation';

/** A CSV client reads the status, not the body: each public code gets its own. */
const STATUS_OF_CODE: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

interface StatsAnswer {
  data?: Record<string, { truncated: boolean; rows: Record<'key' | 'values', Record<string, string | number | null>>[] }> | null;
  errors?: { extensions?: { code?: unknown } }[];
}

export interface StatsCsvRouteOptions {
  schema: GraphQLSchema;
  trustProxy: boolean;
  bodyLimit: string;
  /** /graphql's edge checks of a request's document and variables. */
  guard: (input: GraphQLHttpInput) => void;
  /** Runs a GraphQL request through Apollo in the context of the HTTP request (apolloRunner). */
  run: (req: GraphQLHttpRequest, state: HttpRequestState, request: HTTPGraphQLRequest) => Promise<HTTPGraphQLResponse>;
  answered: GraphQLRouteOptions['answered'];
}

/**
 * `GET <path>?groupBy=…&metrics=…&<filter fields>` answered as CSV by executing the Query
 * field's operation as a POST to /graphql would be: same authentication, limits, shield,
 * validation, metrics and log line. Only the rendering differs: the rows as CSV, `truncated`
 * in the `X-Assay-Truncated` header; errors keep GraphQL's JSON shape with the status of
 * their code. The response cache is not consulted: CSV answers are not kept.
 */
export function statsCsvRoute(fieldName: string, options: StatsCsvRouteOptions): (req: GraphQLHttpRequest, res: ServerResponse) => void {
  const operation = statsCsvOperation(options.schema, fieldName);
  const trust = proxyTrust(options.trustProxy);
  const handle = async (req: GraphQLHttpRequest, res: ServerResponse) => {
    const started = performance.now();
    const state = newRequestState(req, trust);
    res.once('finish', () =>
      options.answered({ requestId: state.requestId, report: state.report, status: res.statusCode, seconds: (performance.now() - started) / 1000, statements: state.queryCount.statements }),
    );
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-request-id', state.requestId);
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const request = operation(new URLSearchParams(query < 0 ? '' : url.slice(query + 1)));
    state.report.operation = request.operationName;
    const body = { query: request.query, operationName: request.operationName, variables: request.variables };
    options.guard({ method: 'POST', body, search: new URLSearchParams() });
    const headers = headerMapOf(req);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/graphql-response+json');
    const answer = await withQueryCount(state.queryCount, () => options.run(req, state, { method: 'POST', headers, search: '', body }));
    if (answer.body.kind !== 'complete') throw new Error(`${fieldName} answered incrementally`);
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    const result = JSON.parse(answer.body.string) as StatsAnswer;
    const stats = result.data?.[fieldName];
    if (result.errors?.length || !stats) {
      const code = result.errors?.[0]?.extensions?.code;
      res.statusCode = isPublicCode(code) ? STATUS_OF_CODE[code] : 500;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(answer.body.string);
      return;
    }
    const text = csvText(
      request.columns.map((c) => c.name),
      stats.rows.map((row) => request.columns.map((c) => row[c.from][c.field])),
    );
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    // pandas does not read headers: the README says to check it where a cut would matter.
    res.setHeader('x-assay-truncated', String(stats.truncated));
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  };
  return (req, res) => {
    handle(req, res).catch((error: EdgeError) => answerEdgeError(res, error, options.bodyLimit));
  };
}
