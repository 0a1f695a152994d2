import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema, type PubSub } from 'type-graphql';
import { directFields } from './permissions/direct-fields';
import { permissions, ruleTree } from './permissions/shield';
import { ApiKeyResolver } from './resolvers/api-key.resolver';
import { AuditLogResolver } from './resolvers/audit-log.resolver';
import { AssessmentOperationsResolver } from './resolvers/assessment-operations.resolver';
import { AssessmentResolver } from './resolvers/assessment.resolver';
import { AssessmentStatsResolver } from './resolvers/assessment-stats.resolver';
import { AttemptStatsResolver } from './resolvers/attempt-stats.resolver';
import { MonitoringStatsResolver } from './resolvers/monitoring-stats.resolver';
import { AuthResolver } from './resolvers/auth.resolver';
import { GovernanceMetricResolver } from './resolvers/governance-metric.resolver';
import { GovernanceModeResolver, GovernanceModeUsageResolver } from './resolvers/governance-mode.resolver';
import { JobRunResolver } from './resolvers/job-run.resolver';
import { LlmAuditTrailResolver } from './resolvers/llm-audit-trail.resolver';
import { DateTimeScalar } from './types/date-time.scalar';
import { ProjectResolver } from './resolvers/project.resolver';
import { UserActivityResolver } from './resolvers/user-activity.resolver';
import { QuestApplicationResolver } from './resolvers/quest-application.resolver';
import { QuestConsistencyResolver } from './resolvers/quest-consistency.resolver';
import { QuestParticipantResolver } from './resolvers/quest-participant.resolver';
import { QuestResolver } from './resolvers/quest.resolver';
import { UserResolver } from './resolvers/user.resolver';
import { WorkflowResolver } from './resolvers/workflow.resolver';
import { AttemptResolver } from './resolvers/attempt.resolver';
import { DashboardAlertResolver, StudentDashboardResolver, TeacherDashboardResolver } from './resolvers/dashboard.resolver';
import { ExamAnalyticsResolver, ExamAnalyticsStudentResolver } from './resolvers/exam-analytics.resolver';
import { ExamPermissionResolver } from './resolvers/exam-permission.resolver';
import { ExamResolver } from './resolvers/exam.resolver';
import { PerformanceMetricsResolver, UserPerformanceResolver } from './resolvers/performance.resolver';
import { MonitoringResolver } from './resolvers/monitoring.resolver';
import { FlagAlertResolver, FlaggedStudentResolver, StudentFlaggedEventResolver } from './resolvers/flag.resolver';
import { ExamPerformanceSummaryResolver, StudentRiskSummaryResolver } from './resolvers/analytics-views.resolver';
import { AttemptAnalysisResolver, BehaviorAnalysisResolver } from './resolvers/behavior-analysis.resolver';
import { WebhookResolver } from './resolvers/webhook.resolver';

const examResolvers = [
  ExamResolver, ExamPermissionResolver, AttemptResolver, ExamAnalyticsResolver, ExamAnalyticsStudentResolver,
  StudentDashboardResolver, TeacherDashboardResolver, DashboardAlertResolver, PerformanceMetricsResolver, UserPerformanceResolver,
] as const;

export const resolvers = [
  AuthResolver,
  UserResolver,
  ApiKeyResolver,
  AssessmentResolver,
  AssessmentStatsResolver,
  AttemptStatsResolver,
  MonitoringStatsResolver,
  AssessmentOperationsResolver,
  AuditLogResolver,
  ProjectResolver,
  LlmAuditTrailResolver,
  WorkflowResolver,
  GovernanceModeResolver,
  GovernanceModeUsageResolver,
  GovernanceMetricResolver,
  UserActivityResolver,
  JobRunResolver,
  QuestResolver,
  QuestApplicationResolver,
  QuestParticipantResolver,
  QuestConsistencyResolver,
  ...examResolvers,
  MonitoringResolver,
  BehaviorAnalysisResolver,
  AttemptAnalysisResolver,
  FlagAlertResolver,
  FlaggedStudentResolver,
  StudentFlaggedEventResolver,
  ExamPerformanceSummaryResolver,
  StudentRiskSummaryResolver,
  WebhookResolver,
] as const;

/**
 * Every subscription brings its own source (the flag log, read from PostgreSQL), never
 * type-graphql's topics; buildSchema still wants a pubSub once any subscription exists.
 */
const noTopics: PubSub = {
  publish: () => {
    throw new Error('Assay publishes through its live feed, not type-graphql topics');
  },
  subscribe: () => {
    throw new Error('Assay subscriptions declare their own subscribe function');
  },
};

/** The schema as emitted to schema.graphql, without permissions. */
export const buildBareSchema = (): Promise<GraphQLSchema> =>
  buildSchema({ resolvers, validate: { forbidUnknownValues: true }, scalarsMap: [{ type: Date, scalar: DateTimeScalar }], emitSchemaFile: false, pubSub: noTopics });

/** The executable schema: every resolver behind graphql-shield, except where shield would allow without asking (directFields). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const bare = await buildBareSchema();
  const shielded = applyMiddleware(bare, permissions);
  directFields(bare, shielded, ruleTree);
  return shielded;
}
