import { IsInt, IsOptional, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { QuestStatus } from '../entities/quest-enums';

const NOT_BLANK = /\S/;

@InputType()
export class CreateQuestInput {
  @Field()
  @MaxLength(200, { message: 'title must be at most 200 characters' })
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title!: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(5000, { message: 'description must be at most 5000 characters' })
  description?: string;

  @Field(() => Int, { nullable: true, description: 'At most this many participants (1-1000); no limit when omitted.' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'maxParticipants must be at least 1' })
  @Max(1000, { message: 'maxParticipants must be at most 1000' })
  maxParticipants?: number | null;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateQuestInput {
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200, { message: 'title must be at most 200 characters' })
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(5000, { message: 'description must be at most 5000 characters' })
  description?: string;

  @Field(() => Int, { nullable: true, description: 'null removes the limit; it cannot go below the current participants.' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'maxParticipants must be at least 1' })
  @Max(1000, { message: 'maxParticipants must be at most 1000' })
  maxParticipants?: number | null;

  @Field(() => QuestStatus, { nullable: true, description: 'COMPLETED (from IN_PROGRESS) or CANCELLED; either rejects pending applications.' })
  @IsOptional()
  status?: QuestStatus;
}

@InputType()
export class QuestFilter {
  @Field(() => QuestStatus, { nullable: true })
  @IsOptional()
  status?: QuestStatus;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'creatorId must be an id' })
  creatorId?: string;

  @Field({ nullable: true, description: 'Case-insensitive match on the title.' })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@ArgsType()
export class IdArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'id must be an id returned by this API' })
  id!: string;
}

@ArgsType()
export class UpdateQuestArgs extends IdArgs {
  @Field(() => UpdateQuestInput)
  @ValidateNested()
  input!: UpdateQuestInput;
}

@ArgsType()
export class ApplyToQuestArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'questId must be an id returned by this API' })
  questId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000, { message: 'message must be at most 2000 characters' })
  message?: string | null;
}

@ArgsType()
export class RejectApplicationArgs extends IdArgs {
  @Field(() => String, { nullable: true, description: 'Shown to the applicant.' })
  @IsOptional()
  @MaxLength(2000, { message: 'reason must be at most 2000 characters' })
  reason?: string | null;
}
