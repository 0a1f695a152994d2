import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, Length, Matches } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { API_SCOPES } from '../auth/scopes';
import { ApiKey } from '../entities';

const NOT_BLANK = /\S/;

@InputType()
export class CreateApiKeyInput {
  @Field()
  @Length(1, 100, { message: 'name must be 1-100 characters' })
  // The table's CHECK refuses a blank name too; caught here it is the caller's error, not a 500.
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @Field(() => [String], { description: `Any of: ${API_SCOPES.join(', ')}.` })
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(API_SCOPES.length)
  @IsIn(API_SCOPES, { each: true, message: `each scope must be one of: ${API_SCOPES.join(', ')}` })
  scopes!: string[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; must be in the future. Omit for no expiry.' })
  @IsOptional()
  expiresAt?: Date;
}

@ObjectType({ description: 'Returned once, at creation: `key` is never shown again.' })
export class CreatedApiKey {
  @Field()
  key!: string;

  @Field(() => ApiKey)
  apiKey!: ApiKey;
}
