import { Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../types/decimal.scalar';

@ObjectType({ description: 'Token counts of one model call.' })
export class TokenUsage {
  @Field(() => Int)
  prompt!: number;

  @Field(() => Int)
  completion!: number;

  @Field(() => Int)
  total!: number;
}

@ObjectType({ description: 'What one model call cost, as exact decimals (currency of the price list, e.g. USD).' })
export class LlmCost {
  @Field(() => DecimalScalar)
  prompt!: string;

  @Field(() => DecimalScalar)
  completion!: string;

  @Field(() => DecimalScalar)
  total!: string;
}
