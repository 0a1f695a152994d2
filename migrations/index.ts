import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000_foundation } from './Migration20261121000000_foundation';
import { Migration20261121000100_audit_log } from './Migration20261121000100_audit_log';
import { Migration20261121040000_exams } from './Migration20261121040000_exams';

/** Every migration, in order. Listed explicitly so built code, tests and the CLI load the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261121000000_foundation', class: Migration20261121000000_foundation },
  { name: 'Migration20261121000100_audit_log', class: Migration20261121000100_audit_log },
  { name: 'Migration20261121040000_exams', class: Migration20261121040000_exams },
];
