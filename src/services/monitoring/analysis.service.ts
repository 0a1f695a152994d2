import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, type Viewer } from '../../auth/viewer';
import { BehaviorAnalysis, ExamAttempt } from '../../entities';
import { DropoutLabel } from '../../entities/exam-enums';
import { FlagReason, MonitoringSeverity } from '../../entities/monitoring-enums';
import { Role } from '../../entities/role';
import { forbidden, notFound } from '../../errors';
import { refreshStudentAggregates } from '../exams/aggregates';
import { existingId } from '../exams/ids';
import type { LiveAnnouncer } from '../flags/flag-feed';
import { appendFlag } from '../flags/flag-log';
import { attemptAccess } from './attempt-access';

/** The analysis as the scoring service sends it (checked field by field at the edge). */
export interface AnalysisResult {
  attemptId: string;
  integrityScore: number;
  originalityIndicators?: Record<string, unknown> | null;
  lmiScore?: number | null;
  improvementTrend?: number | null;
  dropoutLabel?: DropoutLabel | null;
  dropoutConfidence?: number | null;
  llmSummary?: string | null;
  llmRecommendations?: string[] | null;
  llmModelVersion?: string | null;
  requiresInstructorAttention: boolean;
  requiresRecap: boolean;
}

export class BehaviorAnalysisService {
  constructor(private readonly live: LiveAnnouncer) {}

  /**
   * Upserts the attempt's analysis and, in the same transaction, carries its integrity, LMI
   * and dropout label onto the attempt, recomputes the student's profile and metrics, and
   * flags the attempt when the analysis newly needs an instructor: a resent analysis gives
   * the same result and writes no second flag event.
   */
  async save(em: EntityManager, viewer: Viewer, input: AnalysisResult): Promise<BehaviorAnalysis> {
    existingId(input.attemptId, 'Attempt');
    const { analysis, flagged } = await em.transactional(async (tx) => {
      const attempt = await this.lockAttempt(tx, viewer, input.attemptId);
      const [counts] = await tx.execute<{ total: string; anomalies: string; critical: string }[]>(
        `select count(*) as total, count(*) filter (where is_anomaly) as anomalies, count(*) filter (where severity = 'CRITICAL') as critical
           from monitoring_events where attempt_id = ? and attempt_started_at = ?`,
        [attempt.id, attempt.started_at],
      );
      const existing = await tx.findOne(BehaviorAnalysis, { attempt: attempt.id });
      const needsAttentionNow = input.requiresInstructorAttention && !existing?.requiresInstructorAttention;
      const values = {
        totalEvents: Number(counts.total),
        anomalyCount: Number(counts.anomalies),
        criticalCount: Number(counts.critical),
        integrityScore: input.integrityScore,
        originalityIndicators: input.originalityIndicators ?? {},
        lmiScore: input.lmiScore ?? null,
        improvementTrend: input.improvementTrend ?? null,
        dropoutLabel: input.dropoutLabel ?? null,
        dropoutConfidence: input.dropoutConfidence ?? null,
        llmSummary: input.llmSummary ?? null,
        llmRecommendations: input.llmRecommendations ?? [],
        llmModelVersion: input.llmModelVersion ?? null,
        requiresInstructorAttention: input.requiresInstructorAttention,
        requiresRecap: input.requiresRecap,
      };
      const analysis = existing
        ? Object.assign(existing, values)
        : tx.create(BehaviorAnalysis, { ...values, attempt: attempt.id, student: attempt.student_id });
      await tx.flush();
      await tx.nativeUpdate(
        ExamAttempt,
        { id: attempt.id },
        {
          integrityScore: input.integrityScore,
          ...(input.lmiScore != null ? { lmi: input.lmiScore } : {}),
          ...(input.dropoutLabel ? { dropoutLabel: input.dropoutLabel } : {}),
        },
      );
      if (needsAttentionNow) {
        await appendFlag(tx, {
          attemptId: attempt.id,
          reason: FlagReason.ANALYSIS,
          severity: input.dropoutLabel === DropoutLabel.HIGH_RISK ? MonitoringSeverity.CRITICAL : MonitoringSeverity.WARNING,
          details: { integrityScore: input.integrityScore, dropoutLabel: input.dropoutLabel ?? null },
        });
      }
      await refreshStudentAggregates(tx, [attempt.student_id]);
      return { analysis, flagged: needsAttentionNow };
    });
    this.live.announceAttempt(input.attemptId);
    if (flagged) this.live.announceFlag();
    return analysis;
  }

  /** Admins, and teachers' API keys (analysis:write) for exams they may view; others learn nothing. */
  private async lockAttempt(tx: EntityManager, viewer: Viewer, attemptId: string) {
    const attempt = await attemptAccess(tx, viewer, attemptId, true);
    if (!attempt || !attempt.visible) throw notFound('Attempt');
    const admin = hasRole(viewer, Role.ADMIN);
    if (!admin && !(viewer.via === 'apiKey' && hasRole(viewer, Role.TEACHER))) {
      throw forbidden("Analyses come from an admin, or from a scoring service's API key with the analysis:write scope");
    }
    return attempt;
  }
}
