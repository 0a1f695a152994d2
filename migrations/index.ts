import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000_foundation } from './Migration20261121000000_foundation';
import { Migration20261121010000_assessments } from './Migration20261121010000_assessments';

/** Every migration, in order. Listed explicitly so built code, tests and the CLI load the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261121000000_foundation', class: Migration20261121000000_foundation },
  { name: 'Migration20261121010000_assessments', class: Migration20261121010000_assessments },
];
