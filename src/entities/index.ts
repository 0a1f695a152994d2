import { ApiKey } from './api-key.entity';
import { AuditLog } from './audit-log.entity';
import { AuthSession } from './auth-session.entity';
import { Exam } from './exam.entity';
import { ExamAttempt } from './exam-attempt.entity';
import { PerformanceMetrics } from './performance-metrics.entity';
import { RefreshToken } from './refresh-token.entity';
import { RevokedAccessToken } from './revoked-access-token.entity';
import { StudentProfile } from './student-profile.entity';
import { TeacherExamPermission } from './teacher-exam-permission.entity';
import { TeacherProfile } from './teacher-profile.entity';
import { User } from './user.entity';

export { ApiKey, AuditLog, AuthSession, RefreshToken, RevokedAccessToken, StudentProfile, TeacherProfile, User };
export { Exam, ExamAttempt, PerformanceMetrics, TeacherExamPermission };
export { Role } from './role';

/** Every entity class; the ORM config lists them explicitly rather than scanning folders. */
export const entities = [
  User, StudentProfile, TeacherProfile, AuthSession, RefreshToken, RevokedAccessToken, ApiKey, AuditLog,
  Exam, TeacherExamPermission, ExamAttempt, PerformanceMetrics,
];
