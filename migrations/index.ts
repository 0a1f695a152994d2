import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000_foundation } from './Migration20261121000000_foundation';
import { Migration20261121000100_audit_log } from './Migration20261121000100_audit_log';
import { Migration20261121010000_assessments } from './Migration20261121010000_assessments';
import { Migration20261121020000_governance } from './Migration20261121020000_governance';
import { Migration20261121030000_quests } from './Migration20261121030000_quests';
import { Migration20261121040000_exams } from './Migration20261121040000_exams';
import { Migration20261201000000_rate_limit_episodes } from './Migration20261201000000_rate_limit_episodes';
import { Migration20261201010000_exam_attempt_limits } from './Migration20261201010000_exam_attempt_limits';
import { Migration20261201020000_monitoring } from './Migration20261201020000_monitoring';
import { Migration20261201030000_behavior_analyses } from './Migration20261201030000_behavior_analyses';
import { Migration20261201040000_analytics_views } from './Migration20261201040000_analytics_views';
import { Migration20261202000000_flag_events_by_exam } from './Migration20261202000000_flag_events_by_exam';
import { Migration20261202100000_webhooks } from './Migration20261202100000_webhooks';
import { Migration20261203000000_access_notifications } from './Migration20261203000000_access_notifications';
import { Migration20261204000000_table_versions } from './Migration20261204000000_table_versions';
import { Migration20261206000000_exam_rights_notifications } from './Migration20261206000000_exam_rights_notifications';
import { Migration20261207000000_function_search_path } from './Migration20261207000000_function_search_path';
import { Migration20261207010000_governance_modes } from './Migration20261207010000_governance_modes';
import { Migration20261207020000_governance_metrics } from './Migration20261207020000_governance_metrics';
import { Migration20261207030000_assessments_by_student_and_time } from './Migration20261207030000_assessments_by_student_and_time';

/** Every migration, in order. Listed explicitly so built code, tests and the CLI load the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261121000000_foundation', class: Migration20261121000000_foundation },
  { name: 'Migration20261121000100_audit_log', class: Migration20261121000100_audit_log },
  { name: 'Migration20261121010000_assessments', class: Migration20261121010000_assessments },
  { name: 'Migration20261121020000_governance', class: Migration20261121020000_governance },
  { name: 'Migration20261121030000_quests', class: Migration20261121030000_quests },
  { name: 'Migration20261121040000_exams', class: Migration20261121040000_exams },
  { name: 'Migration20261201000000_rate_limit_episodes', class: Migration20261201000000_rate_limit_episodes },
  { name: 'Migration20261201010000_exam_attempt_limits', class: Migration20261201010000_exam_attempt_limits },
  { name: 'Migration20261201020000_monitoring', class: Migration20261201020000_monitoring },
  { name: 'Migration20261201030000_behavior_analyses', class: Migration20261201030000_behavior_analyses },
  { name: 'Migration20261201040000_analytics_views', class: Migration20261201040000_analytics_views },
  { name: 'Migration20261202000000_flag_events_by_exam', class: Migration20261202000000_flag_events_by_exam },
  { name: 'Migration20261202100000_webhooks', class: Migration20261202100000_webhooks },
  { name: 'Migration20261203000000_access_notifications', class: Migration20261203000000_access_notifications },
  { name: 'Migration20261204000000_table_versions', class: Migration20261204000000_table_versions },
  { name: 'Migration20261206000000_exam_rights_notifications', class: Migration20261206000000_exam_rights_notifications },
  { name: 'Migration20261207000000_function_search_path', class: Migration20261207000000_function_search_path },
  { name: 'Migration20261207010000_governance_modes', class: Migration20261207010000_governance_modes },
  { name: 'Migration20261207020000_governance_metrics', class: Migration20261207020000_governance_metrics },
  { name: 'Migration20261207030000_assessments_by_student_and_time', class: Migration20261207030000_assessments_by_student_and_time },
];
