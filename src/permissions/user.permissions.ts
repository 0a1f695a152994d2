import { and } from 'graphql-shield';
import type { TypeRules } from './merge-rules';
import { allow, isAuthenticated, isSession } from './rules';
import { canSeePrivateUserFields, canSeeStudentProfile, canSeeTeacherProfile, canSeeUser, ownsApiKey } from './user.rules';
import { admin, overseer, reader } from './common';

const sessionUser = and(isAuthenticated, isSession);

/** Accounts, sessions and API keys. */
export const accountPermissions: TypeRules = {
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
};
