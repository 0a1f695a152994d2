import { ApiKey } from './api-key.entity';
import { AuthSession } from './auth-session.entity';
import { RefreshToken } from './refresh-token.entity';
import { RevokedAccessToken } from './revoked-access-token.entity';
import { StudentProfile } from './student-profile.entity';
import { TeacherProfile } from './teacher-profile.entity';
import { User } from './user.entity';
import { Evidence } from './evidence.entity';
import { SkillAssessment } from './skill-assessment.entity';

export { ApiKey, AuthSession, RefreshToken, RevokedAccessToken, StudentProfile, TeacherProfile, User };
export { Role } from './role';
export { Evidence, SkillAssessment };
export { AssessmentSource, EvidenceKind, PRIMARY_SKILLS, SkillType } from './skill';

/** Every entity class; the ORM config lists them explicitly rather than scanning folders. */
export const entities = [User, StudentProfile, TeacherProfile, AuthSession, RefreshToken, RevokedAccessToken, ApiKey, SkillAssessment, Evidence];
