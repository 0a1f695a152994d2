import { hasScope } from '../auth/viewer';
import type { Context } from '../context';
import { forbidden, notFound, unauthenticated, badInput } from '../errors';
import { mayViewExam } from '../permissions/monitoring.rules';
import { existingId } from '../services/exams/ids';
import { attemptStream } from '../services/monitoring/attempt-stream';

/**
 * attemptUpdated's source: staff who may view the attempt's exam, checked here at the start
 * (shield guards only the per-event resolve) and again before every delivery, with the
 * credential re-authenticated; while the exam is out of reach nothing is sent.
 */
export async function attemptUpdatesStream(ctx: Context, attemptId: string) {
  const { live, viewer } = ctx;
  if (!live) throw badInput('Subscriptions run over WebSocket (graphql-ws) at /graphql');
  if (!viewer) throw unauthenticated(ctx.authError ?? 'Authentication required');
  if (!hasScope(viewer, 'subscribe')) throw forbidden('This API key lacks the subscribe scope');
  existingId(attemptId, 'Attempt');
  const first = await ctx.services.monitoringRead.liveState(ctx.em, attemptId);
  if (!first || !(await mayViewExam(ctx, first.examId))) throw notFound('Attempt');
  return attemptStream(ctx.services.live, attemptId, async () => {
    const fresh = await live.refresh();
    if (!fresh) return 'end';
    const state = await fresh.services.monitoringRead.liveState(fresh.em, attemptId);
    if (!state) return 'end';
    return (await mayViewExam(fresh, state.examId)) ? { payload: state, context: fresh } : 'skip';
  });
}
