import { IsOptional, IsUUID, Length, Matches, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AuditAction } from '../entities/audit-action';
import { AuditChainProblem, type AuditVerification as Verification } from '../services/audit-verify.service';

@InputType({ description: 'Every given field must match; from is inclusive, to exclusive (on createdAt).' })
export class AuditLogFilter {
  @Field(() => ID, { nullable: true, description: 'The acting user or API key.' })
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  actorId?: string;

  @Field(() => AuditAction, { nullable: true })
  action?: AuditAction;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  resourceType?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  resourceId?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}

@InputType({ description: 'A (seq, hash) pair recorded outside the database, e.g. by `assay audit-log anchor`.' })
export class AuditAnchorInput {
  @Field(() => Int)
  @Min(1)
  seq!: number;

  @Field()
  @Matches(/^[0-9a-f]{64}$/, { message: 'anchor.hash must be 64 lower-case hex digits' })
  hash!: string;
}

@ArgsType()
export class VerifyAuditLogArgs {
  @Field(() => Date, { nullable: true, description: 'Check entries created at or after this time (with their link to the entry before).' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Check entries created before this time.' })
  to?: Date;

  @Field(() => Int, { nullable: true, description: 'Instead of from/to: the first seq to check.' })
  @IsOptional()
  @Min(1, { message: 'fromSeq must be at least 1' })
  fromSeq?: number;

  @Field(() => Int, { nullable: true, description: 'Instead of from/to: the last seq to check.' })
  @IsOptional()
  @Min(1, { message: 'toSeq must be at least 1' })
  toSeq?: number;

  @Field(() => AuditAnchorInput, { nullable: true, description: 'Also check that this anchored entry is still in the chain.' })
  @IsOptional()
  @ValidateNested()
  anchor?: AuditAnchorInput;
}

@ObjectType({ description: 'The result of recomputing the hash chain.' })
export class AuditVerification implements Verification {
  @Field({ description: 'True when every checked entry is unchanged, in order and linked.' })
  intact!: boolean;

  @Field(() => Int)
  fromSeq!: number;

  @Field(() => Int)
  toSeq!: number;

  @Field(() => Int, { description: 'Entries checked before the first problem (all of them when intact).' })
  entriesChecked!: number;

  @Field(() => Int, { nullable: true })
  firstBrokenSeq!: number | null;

  @Field(() => AuditChainProblem, { nullable: true })
  problem!: AuditChainProblem | null;

  @Field()
  message!: string;

  @Field(() => Int, { description: 'The newest entry of the whole log, whatever the range.' })
  latestSeq!: number;

  @Field({ description: 'Its hash: record it outside the database to detect later deletion of the newest entries.' })
  latestHash!: string;

  @Field()
  latestCreatedAt!: Date;
}
