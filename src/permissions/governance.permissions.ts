import type { TypeRules } from './merge-rules';
import { admin, overseer } from './common';
import { adminReader, aiWriter, canSeeTrail, canSeeWorkflowExecution, projectReader } from './governance.rules';
import { allow } from './rules';

/** Audit log, projects, LLM trails and cost analytics, workflows, user activity and job runs. */
export const governancePermissions: TypeRules = {
  Query: {
    auditLogs: overseer,
    verifyAuditLog: overseer,
    projects: projectReader,
    llmAuditTrails: overseer,
    costAnalytics: overseer,
    workflowExecutions: overseer,
    workflowSuccessRates: overseer,
    userActivity: adminReader,
    jobRuns: adminReader,
  },
  Mutation: {
    createProject: admin,
    updateProject: admin,
    deleteProject: admin,
    recordLlmCall: aiWriter,
    updateLlmCall: aiWriter,
    startWorkflow: aiWriter,
    finishWorkflow: aiWriter,
  },
  AuditLog: overseer,
  AuditLogConnection: allow,
  AuditLogEdge: allow,
  AuditVerification: allow,
  Project: projectReader,
  LlmAuditTrail: canSeeTrail,
  LlmAuditTrailConnection: allow,
  LlmAuditTrailEdge: allow,
  TokenUsage: allow,
  LlmCost: allow,
  CostAnalytics: allow,
  DailyCost: allow,
  ModelCost: allow,
  WorkflowExecution: canSeeWorkflowExecution,
  WorkflowExecutionConnection: allow,
  WorkflowExecutionEdge: allow,
  WorkflowSuccessRate: allow,
  UserActivity: allow,
  JobRun: adminReader,
  JobRunConnection: allow,
  JobRunEdge: allow,
};
