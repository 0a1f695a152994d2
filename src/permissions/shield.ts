import { and, deny, shield } from 'graphql-shield';
import type { Context } from '../context';
import { Role } from '../entities/role';
import { toClientError } from './errors';
import {
  allow,
  canSeePrivateUserFields,
  canSeeStudentProfile,
  canSeeTeacherProfile,
  canSeeUser,
  hasAnyRole,
  isAuthenticated,
  isSession,
  ownsApiKey,
  scope,
} from './rules';

const reader = and(isAuthenticated, scope('read'));
const admin = and(isAuthenticated, isSession, hasAnyRole(Role.ADMIN));
const overseer = and(reader, hasAnyRole(Role.ADMIN, Role.AUDITOR));
const sessionUser = and(isAuthenticated, isSession);

/** Deny by default: every type and field not named here is refused. */
export const permissions = shield(
  {
    Query: {
      me: allow,
      users: overseer,
      students: reader,
      user: reader,
      apiKeys: sessionUser,
    },
    Mutation: {
      register: allow,
      login: allow,
      refreshToken: allow,
      logout: allow,
      createUser: admin,
      lockUser: admin,
      unlockUser: admin,
      createApiKey: sessionUser,
      revokeApiKey: sessionUser,
    },
    AuthPayload: allow,
    CreatedApiKey: allow,
    PageInfo: allow,
    UserConnection: allow,
    UserEdge: allow,
    User: {
      '*': canSeeUser,
      lastLoginIp: and(canSeeUser, canSeePrivateUserFields),
      metadata: and(canSeeUser, canSeePrivateUserFields),
      teacherProfile: and(canSeeUser, canSeePrivateUserFields),
    },
    StudentProfile: canSeeStudentProfile,
    TeacherProfile: canSeeTeacherProfile,
    ApiKey: ownsApiKey,
  },
  {
    fallbackRule: deny,
    allowExternalErrors: false,
    fallbackError: (thrown, _parent, _args, ctx) => toClientError(thrown, (ctx as unknown as Context).requestId),
  },
);
