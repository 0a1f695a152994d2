import { deny, shield } from 'graphql-shield';
import type { Context } from '../context';
import { accountPermissions } from './user.permissions';
import { assessmentPermissions } from './assessment.permissions';
import { assessmentStatsPermissions } from './assessment-stats.permissions';
import { attemptStatsPermissions } from './attempt-stats.permissions';
import { monitoringStatsPermissions } from './monitoring-stats.permissions';
import { toClientError } from './errors';
import { examPermissions } from './exam.permissions';
import { governancePermissions } from './governance.permissions';
import { governanceMetricPermissions } from './governance-metric.permissions';
import { governanceModePermissions } from './governance-mode.permissions';
import { mergeRules } from './merge-rules';
import { monitoringPermissions } from './monitoring.permissions';
import { analyticsViewPermissions } from './analytics-views.permissions';
import { questPermissions } from './quest.permissions';
import { webhookPermissions } from './webhook.permissions';
import { allow } from './rules';

/** Every aggregate's rules, by type and field. */
export const ruleTree = mergeRules(
  { PageInfo: allow },
  accountPermissions, assessmentPermissions, assessmentStatsPermissions, attemptStatsPermissions, monitoringStatsPermissions, governancePermissions, governanceModePermissions, governanceMetricPermissions, questPermissions, examPermissions, monitoringPermissions, analyticsViewPermissions, webhookPermissions,
);

/** Deny by default: every type and field not named in a `*.permissions.ts` map is refused. */
export const permissions = shield(ruleTree, {
  fallbackRule: deny,
  allowExternalErrors: false,
  fallbackError: (thrown, _parent, _args, ctx) => toClientError(thrown, (ctx as unknown as Context).requestId),
});
