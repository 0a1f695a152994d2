import { FlagReason, MonitoringSeverity, type FlagSeverity } from '../../src/entities/monitoring-enums';
import { appendFlag } from '../../src/services/flags/flag-log';
import type { TestApp } from './app';

/** Completed demo attempts on exams created by `teacher`. */
export const attemptsOf = async (app: TestApp, teacher: string, count: number) =>
  (
    await app.db.sql(
      `select a.id, a.exam_id from exam_attempts a join exams e on e.id = a.exam_id join users u on u.id = e.creator_id
        where u.username = '${teacher}' order by a.id limit ${count}`,
    )
  ).map((r) => ({ id: r.id as string, examId: r.exam_id as string }));

/** Appends a flag with the flag log's own appendFlag, in its own transaction; returns its seq. */
export const raiseFlag = (app: TestApp, attemptId: string, severity: FlagSeverity = MonitoringSeverity.WARNING): Promise<number> =>
  app.assay.database.orm.em
    .fork()
    .transactional((tx) => appendFlag(tx, { attemptId, reason: FlagReason.ANOMALIES, severity, details: { test: true } }));
