import { Field, ID, Int, ObjectType } from 'type-graphql';
import { IntegrityCheck } from '../services/integrity.service';

@ObjectType({ description: 'One row that fails a check.' })
export class IntegrityFinding {
  @Field()
  table!: string;

  @Field(() => ID)
  id!: string;

  @Field()
  detail!: string;
}

@ObjectType()
export class IntegrityCheckResult {
  @Field(() => IntegrityCheck)
  check!: IntegrityCheck;

  @Field()
  description!: string;

  @Field(() => Int, { description: 'Rows failing the check; `findings` lists the first of them.' })
  count!: number;

  @Field(() => [IntegrityFinding])
  findings!: IntegrityFinding[];
}

@ObjectType({ description: 'What `assay verify assessments` reports, as of one snapshot.' })
export class IntegrityReport {
  @Field({ description: 'True when no check found anything.' })
  ok!: boolean;

  @Field()
  checkedAt!: Date;

  @Field(() => Int)
  findingCount!: number;

  @Field(() => [IntegrityCheckResult], { description: 'Every check, passing ones included (count 0).' })
  checks!: IntegrityCheckResult[];
}

@ObjectType({ description: 'An export written to the server-side backup folder (BACKUP_DIR).' })
export class Backup {
  @Field({ description: 'The file name inside the backup folder; its manifest is `<fileName>.manifest.json`.' })
  fileName!: string;

  @Field(() => Int)
  assessments!: number;

  @Field(() => Int)
  evidence!: number;

  @Field({ description: 'SHA-256 of the file, hex.' })
  sha256!: string;

  @Field(() => Int)
  bytes!: number;

  @Field()
  createdAt!: Date;
}
