import { IsOptional, IsUrl, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MonitoringSeverity } from '../entities/monitoring-enums';
import { Connection } from './connection';
import { FlaggedStudentFilter } from './flag.types';

export enum WebhookDeliveryStatus {
  RETRYING = 'RETRYING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'RETRYING: the receiver has not acknowledged yet; DELIVERED: it answered 2xx; FAILED: given up after WEBHOOK_RETRY_SCHEDULE.',
});

@ObjectType({ description: 'Which flags a webhook receives, within what its owner may see.' })
export class WebhookFilterView {
  @Field(() => ID, { nullable: true })
  examId?: string | null;

  @Field(() => String, { nullable: true })
  cohort?: string | null;

  @Field(() => MonitoringSeverity, { nullable: true })
  minSeverity?: MonitoringSeverity | null;
}

@ObjectType({ description: 'A receiver of flag events, POSTed as signed JSON, in order, at least once.' })
export class Webhook {
  @Field(() => ID)
  id!: string;

  ownerId!: string;

  @Field()
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => WebhookFilterView)
  filter!: WebhookFilterView;

  @Field({ description: 'Paused webhooks keep their place in the log and resume from it.' })
  active!: boolean;

  @Field(() => Int, { description: 'The last flag-log seq this webhook is done with (acknowledged, given up on, or not for it).' })
  lastSeq!: number;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType({ description: 'A new webhook and its signing secret, shown this once.' })
export class CreatedWebhook {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field({ description: 'whsec_… (Standard Webhooks): the key of the webhook-signature header. Not shown again.' })
  secret!: string;
}

@ObjectType({ description: 'One flag event sent to a webhook: its tries and what the receiver answered.' })
export class WebhookDelivery {
  webhookId!: string;
  /** For the row rule: whose webhook. */
  ownerId!: string;

  @Field(() => Int, { description: "The flag's seq: the idempotency key (the webhook-id header is flag-<seq>)." })
  seq!: number;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  tries!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field()
  firstTriedAt!: Date;

  @Field()
  lastTriedAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection extends Connection(WebhookDelivery) {}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'http(s) URL that receives the POSTs.' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http or https URL' })
  @MaxLength(2048)
  url!: string;

  @Field(() => FlaggedStudentFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: FlaggedStudentFilter;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string;
}

@InputType()
export class UpdateWebhookInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http or https URL' })
  @MaxLength(2048)
  url?: string;

  @Field(() => FlaggedStudentFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: FlaggedStudentFilter;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;
}
