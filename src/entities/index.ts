import { ApiKey } from './api-key.entity';
import { AuditLog } from './audit-log.entity';
import { AuthSession } from './auth-session.entity';
import { Quest } from './quest.entity';
import { QuestApplication } from './quest-application.entity';
import { QuestParticipant } from './quest-participant.entity';
import { RefreshToken } from './refresh-token.entity';
import { RevokedAccessToken } from './revoked-access-token.entity';
import { StudentProfile } from './student-profile.entity';
import { TeacherProfile } from './teacher-profile.entity';
import { User } from './user.entity';

export { ApiKey, AuditLog, AuthSession, RefreshToken, RevokedAccessToken, StudentProfile, TeacherProfile, User };
export { Quest, QuestApplication, QuestParticipant };
export { Role } from './role';

/** Every entity class; the ORM config lists them explicitly rather than scanning folders. */
export const entities = [User, StudentProfile, TeacherProfile, AuthSession, RefreshToken, RevokedAccessToken, ApiKey, AuditLog, Quest, QuestApplication, QuestParticipant];
