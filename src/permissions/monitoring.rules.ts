import { seesEveryone } from '../auth/viewer';
import type { Context } from '../context';
import type { BehaviorAnalysis } from '../entities';
import type { MonitoringEventRow } from '../entities/monitoring-event.entity';
import { Role } from '../entities/role';
import type { FlagAlert, FlaggedStudent } from '../types/flag.types';
import type { AttemptUpdate, MonitoringSummary } from '../types/monitoring.types';
import { rowRule } from './row-rule';

/*
 * Layer two for proctoring data: rows come from queries scoped to one attempt the viewer
 * may read; these rules check each row again through the request's exam-access loader
 * (one statement per request), so a row that slipped past a scope is refused, not shown.
 */

export const mayViewExam = async (ctx: Context, examId: string) =>
  ctx.viewer !== null &&
  (seesEveryone(ctx.viewer) || (ctx.viewer.user.role === Role.TEACHER && (await ctx.loaders.examAccess(ctx.viewer).load(examId)).view));

/** Events, payloads and anomaly scores: staff who may view the exam; never a student, not even their own. */
export const canSeeMonitoringEvent = rowRule('canSeeMonitoringEvent', (event: MonitoringEventRow, ctx) => mayViewExam(ctx, event.examId));

/** Counts: the attempt's student too. */
export const canSeeMonitoringSummary = rowRule(
  'canSeeMonitoringSummary',
  async (summary: MonitoringSummary, ctx) => ctx.viewer?.user.id === summary.studentId || mayViewExam(ctx, summary.examId),
);

/** An analysis: its student (without the fields below) and staff who may view the exam. */
export const canSeeAnalysis = rowRule('canSeeAnalysis', async (analysis: BehaviorAnalysis, ctx) => {
  if (!ctx.viewer) return false;
  if (analysis.student.id === ctx.viewer.user.id) return true;
  const attempt = await ctx.loaders.attemptById.load(analysis.attempt.id);
  return attempt !== null && mayViewExam(ctx, attempt.exam.id);
});

/** A flag: staff who may view its exam. */
export const canSeeFlag = rowRule('canSeeFlag', (flag: FlagAlert, ctx) => mayViewExam(ctx, flag.examId));

/** A flagged student: staff who may view an exam one of the counted flags is in. */
export const canSeeFlaggedStudent = rowRule('canSeeFlaggedStudent', async (flagged: FlaggedStudent, ctx) =>
  (await Promise.all(flagged.examIds.map((examId) => mayViewExam(ctx, examId)))).some(Boolean),
);

/** A watched attempt's live state: staff who may view its exam. */
export const canSeeAttemptUpdate = rowRule('canSeeAttemptUpdate', (update: AttemptUpdate, ctx) => mayViewExam(ctx, update.examId));
