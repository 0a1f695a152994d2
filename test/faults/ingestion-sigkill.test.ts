import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../../src/db/seed/prng';
import { RecordEventsDocument, type MonitoringEventInput } from '../generated/graphql';
import { gqlClient, loginWith } from '../support/app';
import { serveCli, type Served } from '../support/cli';
import { TEST_JWT_SECRET } from '../support/constants';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { attemptInProgress } from '../support/proctoring';

/*
 * A proctoring client streams event batches and retries each until it is acknowledged, while
 * the server is SIGKILLed at random moments and started again. Whatever the server
 * acknowledged must be stored, nothing twice, and the flag log must have no gap.
 */
const SEED = Number(process.env.FAULT_SEED ?? 20_261_206);
const KILLS = 20;
const ATTEMPTS = 8;
const BATCHES_PER_ATTEMPT = 40;
const EVENTS_PER_BATCH = 20;
const STREAMS = 4;

let db: TestDatabase | undefined;
let served: Served | undefined;
afterAll(async () => {
  await served?.stop();
  await db?.drop();
});

interface Batch {
  attemptId: string;
  events: MonitoringEventInput[];
}

/** Every attempt's batches, interleaved; a few critical events and anomalies flag attempts on the way. */
function batchesFor(attemptIds: string[], random: ReturnType<typeof seededRandom>): Batch[] {
  const start = Date.now();
  const batches: Batch[] = [];
  for (let b = 0; b < BATCHES_PER_ATTEMPT; b++) {
    for (const attemptId of attemptIds) {
      const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i): MonitoringEventInput => {
        const roll = random.next();
        return {
          eventId: `b${b}-e${i}`,
          eventType: random.pick(['eye_movement', 'window_focus', 'keystroke']),
          severity: roll < 0.002 ? 'CRITICAL' : roll < 0.05 ? 'WARNING' : 'NORMAL',
          isAnomaly: roll < 0.05,
          clientTimestamp: new Date(start + b * EVENTS_PER_BATCH + i).toISOString(),
        };
      });
      batches.push({ attemptId, events });
    }
  }
  return batches;
}

it(`keeps every acknowledged event batch through ${KILLS} SIGKILLs, stores none twice, and leaves the flag log without a gap`, async () => {
  process.stdout.write(`[faults] ingestion under SIGKILL: FAULT_SEED=${SEED}\n`);
  const random = seededRandom(SEED);
  db = await createTestDatabase();
  const port = String(21_000 + random.int(0, 3999));
  const env = { DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, PORT: port, HOST: '127.0.0.1', JOBS_ENABLED: 'false' };
  served = await serveCli(env);
  const gql = gqlClient(`http://127.0.0.1:${port}/graphql`);
  const server = { gql, login: loginWith(gql) };
  const attempts = [];
  for (let i = 0; i < ATTEMPTS; i++) attempts.push(await attemptInProgress(server));
  const token = attempts[0].student;
  const batches = batchesFor(
    attempts.map((a) => a.attemptId),
    random,
  );

  const acknowledged: Batch[] = [];
  let retries = 0;
  let next = 0;
  /** One client stream: takes the next batch and sends it until the server acknowledges it. */
  const stream = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      for (;;) {
        const result = await gql(RecordEventsDocument, batch, { token }).catch(() => null);
        const ack = result?.data?.recordMonitoringEvents;
        if (ack) {
          expect(ack.accepted + ack.duplicates).toBe(EVENTS_PER_BATCH);
          acknowledged.push(batch);
          break;
        }
        // Anything else is the outage: refused connections, a reset, SERVICE_UNAVAILABLE.
        expect(result?.errors?.[0]?.extensions?.code ?? 'no answer').not.toMatch(/BAD_USER_INPUT|FORBIDDEN|NOT_FOUND/);
        retries++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const streaming = Promise.all(Array.from({ length: STREAMS }, stream));

  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((r) => setTimeout(r, random.int(100, 1500)));
    process.kill(served.pid, 'SIGKILL');
    await served.exited;
    served = await serveCli(env);
  }
  await streaming;
  process.stdout.write(`[faults] ${KILLS} kills, ${acknowledged.length} batches acknowledged after ${retries} retries\n`);

  expect(acknowledged).toHaveLength(batches.length);
  const stored = await db.sql(
    `select attempt_id, count(*)::int as events, count(distinct event_id)::int as distinct_ids from monitoring_events
      where attempt_id = any('{${attempts.map((a) => a.attemptId).join(',')}}'::uuid[]) group by attempt_id`,
  );
  expect(stored).toHaveLength(ATTEMPTS);
  for (const row of stored) expect(row).toMatchObject({ events: BATCHES_PER_ATTEMPT * EVENTS_PER_BATCH, distinct_ids: BATCHES_PER_ATTEMPT * EVENTS_PER_BATCH });

  const [log] = await db.sql(
    `select count(*)::int as events, min(seq)::int as first, max(seq)::int as last, (select seq::int from student_flag_log_head) as head
       from student_flag_events`,
  );
  expect(log.last).toBe(log.head);
  expect(log.events).toBe(Number(log.last) - Number(log.first) + 1);
  const flagged = await db.sql(`select count(*)::int as n from student_flag_events where attempt_id = any('{${attempts.map((a) => a.attemptId).join(',')}}'::uuid[])`);
  expect(flagged[0].n).toBeGreaterThan(0);
}, 600_000);
