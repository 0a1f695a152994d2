import { ArrayMaxSize, IsEmail, IsOptional, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { EMAIL_MAX_LENGTH } from '../entities/email';
import { Role } from '../entities/role';

const USERNAME = /^[A-Za-z0-9_.-]{3,64}$/;
const COHORT = /^[A-Za-z0-9_.-]{1,64}$/;

@InputType()
export class RegisterInput {
  @Field()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH, { message: `email must be at most ${EMAIL_MAX_LENGTH} characters` })
  email!: string;

  @Field()
  @Matches(USERNAME, { message: 'username must be 3-64 letters, digits, dots, dashes or underscores' })
  username!: string;

  @Field({ description: `At least ${MIN_PASSWORD_LENGTH} characters.` })
  @MinLength(MIN_PASSWORD_LENGTH, { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(256)
  password!: string;
}

@InputType()
export class CreateUserInput extends RegisterInput {
  @Field(() => Role)
  role!: Role;

  @Field({ nullable: true, description: 'Students only; defaults to "unassigned". Only admins choose cohorts: a cohort opens its exams and its teachers\' rosters.' })
  @IsOptional()
  @Matches(COHORT, { message: 'cohort must be 1-64 letters, digits, dots, dashes or underscores' })
  cohort?: string;

  @Field({ nullable: true, description: 'Students only; generated when omitted.' })
  @IsOptional()
  @Length(1, 64)
  enrollmentId?: string;

  @Field({ nullable: true, description: 'Teachers only.' })
  @IsOptional()
  @Length(1, 128)
  department?: string;

  @Field(() => [String], { nullable: true, description: 'Teachers only: the cohorts whose students they see.' })
  @IsOptional()
  @ArrayMaxSize(100)
  @Matches(COHORT, { each: true, message: 'each cohort must be 1-64 letters, digits, dots, dashes or underscores' })
  cohortsTaught?: string[];
}

@InputType()
export class UserFilter {
  @Field(() => Role, { nullable: true })
  role?: Role;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(COHORT)
  cohort?: string;

  @Field({ nullable: true, description: 'Case-insensitive match on email or username.' })
  @IsOptional()
  @Length(1, 100)
  search?: string;
}
