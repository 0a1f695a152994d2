import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormConfig } from '../../src/db/orm-config';
import { analyseAndFlag } from '../../src/db/seed/monitoring';
import { refreshAnalyticsViews } from '../../src/services/analytics/views';
import { ensureMonitoringPartitions } from '../../src/services/monitoring/partitions';
import { generateExamData, timed } from '../exams/generate';
import { EVENTS_PER_ATTEMPT, MONITORING_DATABASE_URL, attemptEvents, type AttemptRef } from './common';
import { copyEvents } from './copy';

/*
 * Builds the monitoring benchmark's database: the exam benchmark's 100,000 completed
 * attempts, then 100 events for each (10 million) by binary COPY on two connections, then
 * analyses and flags derived from them as the demo data does (one attempt in eight has a
 * critical event), the analytics views refreshed and everything analyzed. Deterministic.
 */

const COPY_CONNECTIONS = 2;

async function copyAll(attempts: AttemptRef[]) {
  const lanes = Array.from({ length: COPY_CONNECTIONS }, (_, lane) => attempts.filter((_a, i) => i % COPY_CONNECTIONS === lane));
  await Promise.all(
    lanes.map(async (lane) => {
      const client = new Client({ connectionString: MONITORING_DATABASE_URL });
      await client.connect();
      try {
        const rows = function* () {
          for (const attempt of lane) {
            const seed = Number.parseInt(attempt.id.slice(0, 8), 16);
            yield* attemptEvents(attempt, EVENTS_PER_ATTEMPT, seed, seed % 8 === 0);
          }
        };
        await copyEvents(client, rows());
      } finally {
        await client.end();
      }
    }),
  );
}

async function main() {
  await timed('exam data', () => generateExamData(MONITORING_DATABASE_URL));
  const orm = await MikroORM.init(ormConfig({ clientUrl: MONITORING_DATABASE_URL }));
  try {
    const em = orm.em.fork();
    const attempts = (await em.execute<{ id: string; started_at: string; student_id: string }[]>(
      `select id, started_at, student_id from exam_attempts where status = 'COMPLETED' order by started_at, id`,
    )).map((a) => ({ id: a.id, startedAt: new Date(a.started_at), studentId: a.student_id }));
    await ensureMonitoringPartitions(em, attempts[0].startedAt, new Date(), 1);
    await timed(`events (${attempts.length * EVENTS_PER_ATTEMPT} by binary COPY)`, () => copyAll(attempts));
    const derived = await timed('analyses and flags', () => analyseAndFlag(em));
    process.stdout.write(`${derived.analyses} analyses, ${derived.flaggedAttempts} flagged attempts\n`);
    const refreshed = await timed('analytics views', () => refreshAnalyticsViews(em));
    process.stdout.write(`${refreshed.map((r) => `${r.name} ${r.durationMs} ms`).join(', ')}\n`);
    await timed('analyze', () => em.execute('analyze'));
    process.stdout.write(`Monitoring bench database ready: ${MONITORING_DATABASE_URL}\n`);
  } finally {
    await orm.close(true);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench monitoring generate: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
