import { ApiKey } from './api-key.entity';
import { AuditLog } from './audit-log.entity';
import { AuthSession } from './auth-session.entity';
import { GovernanceMetric } from './governance-metric.entity';
import { GovernanceMode } from './governance-mode.entity';
import { JobRun } from './job-run.entity';
import { LlmAuditTrail } from './llm-audit-trail.entity';
import { Project } from './project.entity';
import { Quest } from './quest.entity';
import { QuestApplication } from './quest-application.entity';
import { QuestParticipant } from './quest-participant.entity';
import { Exam } from './exam.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { PerformanceMetrics } from './performance-metrics.entity';
import { RefreshToken } from './refresh-token.entity';
import { RevokedAccessToken } from './revoked-access-token.entity';
import { StudentProfile } from './student-profile.entity';
import { TeacherExamPermission } from './teacher-exam-permission.entity';
import { TeacherProfile } from './teacher-profile.entity';
import { User } from './user.entity';
import { WorkflowExecution } from './workflow-execution.entity';
import { Evidence } from './evidence.entity';
import { SkillAssessment } from './skill-assessment.entity';
import { MonitoringEvent } from './monitoring-event.entity';
import { BehaviorAnalysis } from './behavior-analysis.entity';

export { ApiKey, AuditLog, AuthSession, RefreshToken, RevokedAccessToken, StudentProfile, TeacherProfile, User };
export { Quest, QuestApplication, QuestParticipant };
export { Exam, ExamAttempt, PerformanceMetrics, TeacherExamPermission };
export { BehaviorAnalysis, MonitoringEvent };
export { Role } from './role';
export { GovernanceMetric, GovernanceMode, JobRun, LlmAuditTrail, Project, WorkflowExecution };
export { Evidence, SkillAssessment };
export { AssessmentSource, EvidenceKind, PRIMARY_SKILLS, SkillType } from './skill';

/** Every entity class; the ORM config lists them explicitly rather than scanning folders. */
export const entities = [
  User,
  StudentProfile,
  TeacherProfile,
  AuthSession,
  RefreshToken,
  RevokedAccessToken,
  ApiKey,
  AuditLog,
  SkillAssessment,
  Evidence,
  Project,
  GovernanceMode,
  GovernanceMetric,
  LlmAuditTrail,
  WorkflowExecution,
  JobRun,
  Quest,
  QuestApplication,
  QuestParticipant,
  Exam,
  TeacherExamPermission,
  ExamAttempt,
  PerformanceMetrics,
  MonitoringEvent,
  BehaviorAnalysis,
];
