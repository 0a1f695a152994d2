import { ArrayMaxSize, IsDate, IsEnum, IsOptional } from 'class-validator';
import { ArgsType, Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { GOVERNANCE_METRIC_NAMES, type GovernanceMetricName, MetricDimension } from '../entities/governance-metric.entity';
import { MetricBucket, type MetricSeriesArgs, type MetricSeriesRow } from '../services/governance-metric.service';

registerEnumType(MetricBucket, { name: 'MetricBucket', description: 'The length of one point of a series; buckets start at midnight UTC (weeks on Monday).' });

@ArgsType()
export class GovernanceMetricsArgs implements MetricSeriesArgs {
  @Field(() => [String], { description: `Metrics to return, from: ${GOVERNANCE_METRIC_NAMES.join(', ')}.` })
  @ArrayMaxSize(GOVERNANCE_METRIC_NAMES.length * 2)
  names!: string[];

  @Field(() => Date, { description: 'Samples whose interval starts at or after this time.' })
  @IsDate()
  from!: Date;

  @Field(() => Date, { description: 'Samples whose interval starts before this time. At most 1000 buckets after from.' })
  @IsDate()
  to!: Date;

  @Field(() => MetricBucket, { defaultValue: MetricBucket.DAY, description: 'The length of each point (date_bin).' })
  @IsEnum(MetricBucket)
  interval!: MetricBucket;

  @Field(() => [MetricDimension], {
    defaultValue: [],
    description: 'Breakdowns to return beside the totals, one series per value; a metric that has no such breakdown gets none.',
  })
  @IsOptional()
  @IsEnum(MetricDimension, { each: true })
  dimensions!: MetricDimension[];
}

@ObjectType({ description: 'One bucket of a series: when it starts, and the value of its samples.' })
export class GovernanceMetricPoint {
  @Field(() => Date)
  at!: Date;

  @Field(() => Float, {
    description:
      'Counts, tokens and cost: the sum of the samples in the bucket. workflow_success_rate: completed / (completed + failed) ' +
      'workflows of the bucket, 0-1 (buckets where none finished have no point).',
  })
  value!: number;
}

@ObjectType({ description: 'A metric over time: its total, or its part for one mode, workflow or project.' })
export class GovernanceMetricSeries implements MetricSeriesRow {
  @Field(() => String)
  name!: GovernanceMetricName;

  @Field(() => MetricDimension, { nullable: true, description: 'Null for the total.' })
  dimension!: MetricDimension | null;

  @Field(() => String, {
    nullable: true,
    description: 'The mode key, workflow name or project id; null for the total and for work tagged with no mode.',
  })
  dimensionValue!: string | null;

  @Field(() => [GovernanceMetricPoint], { description: 'Oldest first; buckets with no sample are left out.' })
  points!: GovernanceMetricPoint[];
}
