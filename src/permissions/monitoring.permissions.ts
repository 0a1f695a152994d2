import { and } from 'graphql-shield';
import { reader } from './common';
import { isStaff } from './exam.rules';
import type { TypeRules } from './merge-rules';
import { canSeeMonitoringEvent, canSeeMonitoringSummary } from './monitoring.rules';
import { allow, isAuthenticated, scope } from './rules';

/** Live proctoring: events in, events and counts out. */
export const monitoringPermissions: TypeRules = {
  Query: {
    attemptMonitoring: and(reader, isStaff),
    monitoringSummary: reader,
  },
  Mutation: {
    recordMonitoringEvents: and(isAuthenticated, scope('events:write')),
  },
  MonitoringIngestResult: isAuthenticated,
  MonitoringEventConnection: allow,
  MonitoringEventEdge: allow,
  MonitoringEvent: canSeeMonitoringEvent,
  MonitoringSummary: canSeeMonitoringSummary,
  // Value objects inside a summary whose rule has already passed.
  SeverityCount: isAuthenticated,
  EventTypeCount: isAuthenticated,
};
