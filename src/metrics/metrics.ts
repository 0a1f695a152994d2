import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What this process counts for Prometheus (`GET /metrics`). One registry per process, as
 * there is one logger: services count where the thing happens, without being handed it.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'assay_' });

/** Operation names are the client's to choose: past this many distinct ones, the rest are counted as `other`. */
const MAX_OPERATION_LABELS = 200;
const operations = new Set<string>();

/** A bounded label for an operation name: `anonymous` without one, `other` once MAX_OPERATION_LABELS are in use. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (operations.has(name)) return name;
  if (operations.size >= MAX_OPERATION_LABELS || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return 'other';
  operations.add(name);
  return name;
}

const requestDuration = new Histogram({
  name: 'assay_graphql_request_duration_seconds',
  help: 'Requests to /graphql, by operation name and outcome (ok, errors, refused, failed)',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const requestStatements = new Histogram({
  name: 'assay_graphql_request_sql_statements',
  help: 'SQL statements a request to /graphql ran, by operation name',
  labelNames: ['operation'] as const,
  buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55],
  registers: [registry],
});

export const responseCacheLookups = new Counter({
  name: 'assay_response_cache_lookups_total',
  help: 'Response cache lookups of cacheable requests, by result (hit, miss)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const loginFailures = new Counter({
  name: 'assay_login_failures_total',
  help: 'Logins refused for a wrong e-mail or password (each also a LOGIN_FAILED audit entry)',
  registers: [registry],
});

export const loginsRateLimited = new Counter({
  name: 'assay_logins_rate_limited_total',
  help: 'Logins and registrations turned away by a limit, by limit',
  labelNames: ['limit'] as const,
  registers: [registry],
});

export const auditEntriesAppended = new Counter({
  name: 'assay_audit_entries_appended_total',
  help: 'Audit entries appended to the hash chain, by action (entries of a transaction that then rolled back included)',
  labelNames: ['action'] as const,
  registers: [registry],
});

export const monitoringEventsIngested = new Counter({
  name: 'assay_monitoring_events_ingested_total',
  help: 'Monitoring events accepted (duplicates of an event already stored not included)',
  registers: [registry],
});

export const monitoringIngestDuration = new Histogram({
  name: 'assay_monitoring_ingest_duration_seconds',
  help: 'Time to validate and store one batch of monitoring events, commit included',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const subscribersConnected = new Gauge({
  name: 'assay_subscription_connections',
  help: 'WebSocket connections to /graphql that proved a credential and are open',
  registers: [registry],
});

/** What the pipeline learned about one request to /graphql, reported when its answer is sent. */
export interface RequestReport {
  operation: string | null;
  /** Who asked, by kind only: `token`, `api_key` or `anonymous`; never the credential. */
  principal: string;
  /** How many errors the answer carried. */
  errors: number;
}

export type RequestOutcome = 'ok' | 'errors' | 'refused' | 'failed';

export function outcomeOf(status: number, errors: number): RequestOutcome {
  if (status >= 500) return 'failed';
  if (status >= 400) return 'refused';
  return errors > 0 ? 'errors' : 'ok';
}

export function observeRequest(operation: string, outcome: RequestOutcome, seconds: number, statements: number): void {
  requestDuration.observe({ operation, outcome }, seconds);
  requestStatements.observe({ operation }, statements);
}

/** What the database pool (tarn, under knex) tells of its connections. */
export interface PoolStats {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The database pool's connections, read at each scrape. */
export function watchPool(pool: () => PoolStats | undefined): void {
  const gauge = (name: string, help: string, read: (p: PoolStats) => number) => {
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const current = pool();
        this.set(current ? read(current) : 0);
      },
    });
  };
  gauge('assay_db_pool_connections_in_use', 'Database connections lent out', (p) => p.numUsed());
  gauge('assay_db_pool_connections_idle', 'Database connections open and free', (p) => p.numFree());
  gauge('assay_db_pool_requests_waiting', 'Requests waiting for a database connection', (p) => p.numPendingAcquires());
}
