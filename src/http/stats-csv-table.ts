/**
 * The CSV answers of grouped statistics: each path is answered by the Query field it names,
 * executed through /graphql's own pipeline (stats-csv-route.ts). A field listed here takes
 * `groupBy` and `metrics` as lists of enums, and answers `{ truncated rows { key values } }`;
 * its other arguments' input fields become query parameters (stats-csv-operation.ts).
 */
export const STATS_CSV_FIELDS: Readonly<Record<string, string>> = {
  '/stats/assessments.csv': 'assessmentStats',
  '/stats/attempts.csv': 'attemptStats',
  '/stats/monitoring.csv': 'monitoringStats',
};
