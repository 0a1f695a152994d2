import { registerEnumType } from 'type-graphql';

/** How serious a proctoring event is; the database checks the same list. */
export enum MonitoringSeverity {
  NORMAL = 'NORMAL',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}

/** Why a student was flagged; each flag is one row of the flag log. */
export enum FlagReason {
  CRITICAL_EVENT = 'CRITICAL_EVENT',
  ANOMALIES = 'ANOMALIES',
  ANALYSIS = 'ANALYSIS',
}

/** The severities a flag can have, in rising order. */
export const FLAG_SEVERITIES = [MonitoringSeverity.WARNING, MonitoringSeverity.CRITICAL] as const;
export type FlagSeverity = (typeof FLAG_SEVERITIES)[number];

registerEnumType(MonitoringSeverity, { name: 'MonitoringSeverity', description: 'NORMAL, WARNING or CRITICAL.' });
registerEnumType(FlagReason, {
  name: 'FlagReason',
  description: 'CRITICAL_EVENT (a critical proctoring event), ANOMALIES (more anomalies in a batch than the threshold) or ANALYSIS.',
});
