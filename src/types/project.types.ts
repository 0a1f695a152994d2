import { IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';

const NOT_BLANK = /\S/;
import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class CreateProjectInput {
  @Field()
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Keep this project\'s trails this many days instead of LLM_TRAIL_RETENTION_DAYS.' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'retentionDays must be between 1 and 3650' })
  @Max(3650, { message: 'retentionDays must be between 1 and 3650' })
  retentionDays?: number;
}

@InputType({ description: 'Omitted fields keep their value; retentionDays: null returns to the default.' })
export class UpdateProjectInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'retentionDays must be between 1 and 3650' })
  @Max(3650, { message: 'retentionDays must be between 1 and 3650' })
  retentionDays?: number | null;
}
