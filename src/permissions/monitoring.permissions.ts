import { and } from 'graphql-shield';
import { reader } from './common';
import { canViewAttempt, isStaff } from './exam.rules';
import type { TypeRules } from './merge-rules';
import { canSeeAnalysis, canSeeAttemptUpdate, canSeeFlag, canSeeFlaggedStudent, canSeeMonitoringEvent, canSeeMonitoringSummary } from './monitoring.rules';
import { Role } from '../entities/role';
import { allow, hasAnyRole, isAuthenticated, scope } from './rules';

/** Live proctoring: events in, events, counts and flags out (queried or subscribed). */
export const monitoringPermissions: TypeRules = {
  Query: {
    attemptMonitoring: and(reader, isStaff),
    monitoringSummary: reader,
    behaviorAnalysis: reader,
    alerts: and(reader, isStaff),
    flaggedStudents: and(reader, isStaff),
  },
  FlagAlertConnection: allow,
  FlagAlertEdge: allow,
  FlagAlert: canSeeFlag,
  StudentFlaggedEvent: canSeeFlag,
  // Checked again on every delivery; the subscription's source authorizes on its own, since shield guards only resolve.
  Subscription: {
    studentFlagged: and(isAuthenticated, scope('subscribe'), isStaff),
    attemptUpdated: and(isAuthenticated, scope('subscribe'), isStaff),
  },
  FlaggedStudentConnection: allow,
  FlaggedStudentEdge: allow,
  FlaggedStudent: canSeeFlaggedStudent,
  Mutation: {
    recordMonitoringEvents: and(isAuthenticated, scope('events:write')),
    saveBehaviorAnalysis: and(isAuthenticated, scope('analysis:write'), hasAnyRole(Role.ADMIN, Role.TEACHER)),
  },
  BehaviorAnalysis: {
    '*': canSeeAnalysis,
    // What the model saw and which model: staff only, never the student.
    originalityIndicators: and(canSeeAnalysis, isStaff),
    llmModelVersion: and(canSeeAnalysis, isStaff),
    dropoutConfidence: and(canSeeAnalysis, isStaff),
  },
  ExamAttempt: { behaviorAnalysis: canViewAttempt },
  MonitoringIngestResult: isAuthenticated,
  MonitoringEventConnection: allow,
  MonitoringEventEdge: allow,
  MonitoringEvent: canSeeMonitoringEvent,
  MonitoringSummary: canSeeMonitoringSummary,
  AttemptUpdate: canSeeAttemptUpdate,
  // Value objects inside a summary whose rule has already passed.
  SeverityCount: isAuthenticated,
  EventTypeCount: isAuthenticated,
};
