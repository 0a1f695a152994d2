import { and } from 'graphql-shield';
import { Role } from '../entities/role';
import { reader } from './common';
import {
  canReadExamInternals,
  canSeeAnalytics,
  canSeeGrant,
  canSeeMetrics,
  canSeeReview,
  canSeeStudentDashboard,
  canViewAttempt,
  canViewExam,
  isStaff,
  ownsTeacherDashboard,
} from './exam.rules';
import type { TypeRules } from './merge-rules';
import { allow, hasAnyRole, isAuthenticated, isSession } from './rules';
import { canSeeUser } from './user.rules';

/** Writes need a real session: API keys have no exam scope. */
const sessionAs = (...roles: Role[]) => and(isAuthenticated, isSession, hasAnyRole(...roles));
const readerAs = (...roles: Role[]) => and(reader, hasAnyRole(...roles));

/** Exams, attempts, grants, analytics and dashboards. */
export const examPermissions: TypeRules = {
  Query: {
    exams: reader,
    exam: reader,
    availableExams: readerAs(Role.STUDENT),
    examAttempts: reader,
    myAttempts: reader,
    attempt: reader,
    examAnalytics: reader,
    studentDashboard: reader,
    teacherDashboard: readerAs(Role.TEACHER),
  },
  Mutation: {
    createExam: sessionAs(Role.TEACHER),
    updateExam: sessionAs(Role.TEACHER, Role.ADMIN),
    publishExam: sessionAs(Role.TEACHER, Role.ADMIN),
    grantExamPermission: sessionAs(Role.TEACHER, Role.ADMIN),
    revokeExamPermission: sessionAs(Role.TEACHER, Role.ADMIN),
    startAttempt: sessionAs(Role.STUDENT),
    submitAttempt: sessionAs(Role.STUDENT),
  },
  ExamConnection: allow,
  ExamEdge: allow,
  ExamAttemptConnection: allow,
  ExamAttemptEdge: allow,
  Exam: {
    '*': canViewExam,
    creator: and(canViewExam, isStaff),
    metadata: and(canViewExam, canReadExamInternals),
    grants: and(canViewExam, canReadExamInternals),
  },
  // Value objects that exist only inside a row whose rule has already passed.
  ExamQuestion: isAuthenticated,
  ExamPermissions: isAuthenticated,
  QuestionResult: isAuthenticated,
  ScoreBucket: isAuthenticated,
  IntegrityStatus: isAuthenticated,
  ExamAttempt: {
    '*': canViewAttempt,
    metadata: and(canViewAttempt, isStaff),
    review: and(canViewAttempt, canSeeReview),
  },
  TeacherExamPermission: canSeeGrant,
  PerformanceMetrics: canSeeMetrics,
  ExamAnalytics: canSeeAnalytics,
  ExamAnalyticsStudent: canSeeAnalytics,
  StudentDashboard: canSeeStudentDashboard,
  TeacherDashboard: ownsTeacherDashboard,
  DashboardAlert: ownsTeacherDashboard,
  User: { performanceMetrics: canSeeUser },
};
