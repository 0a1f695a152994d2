import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { permissions } from './permissions/shield';
import { ApiKeyResolver } from './resolvers/api-key.resolver';
import { AuthResolver } from './resolvers/auth.resolver';
import { UserResolver } from './resolvers/user.resolver';
import { AttemptResolver } from './resolvers/attempt.resolver';
import { DashboardAlertResolver, StudentDashboardResolver, TeacherDashboardResolver } from './resolvers/dashboard.resolver';
import { ExamAnalyticsResolver, ExamAnalyticsStudentResolver } from './resolvers/exam-analytics.resolver';
import { ExamPermissionResolver } from './resolvers/exam-permission.resolver';
import { ExamResolver } from './resolvers/exam.resolver';
import { PerformanceMetricsResolver, UserPerformanceResolver } from './resolvers/performance.resolver';

const examResolvers = [
  ExamResolver, ExamPermissionResolver, AttemptResolver, ExamAnalyticsResolver, ExamAnalyticsStudentResolver,
  StudentDashboardResolver, TeacherDashboardResolver, DashboardAlertResolver, PerformanceMetricsResolver, UserPerformanceResolver,
] as const;

export const resolvers = [AuthResolver, UserResolver, ApiKeyResolver, ...examResolvers] as const;

/** The schema as emitted to schema.graphql, without permissions. */
export const buildBareSchema = (): Promise<GraphQLSchema> =>
  buildSchema({ resolvers, validate: { forbidUnknownValues: true }, emitSchemaFile: false });

/** The executable schema: every resolver behind graphql-shield. */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  return applyMiddleware(await buildBareSchema(), permissions);
}
