import type { EntityManager } from '@mikro-orm/postgresql';
import { LlmAuditTrail, Project } from '../entities';
import { badInput, notFound } from '../errors';

export interface CostBucket {
  messageCount: number;
  totalCost: string;
  totalTokens: number;
}

export interface CostAnalytics {
  project: Project;
  from: Date | null;
  to: Date | null;
  messageCount: number;
  completedCount: number;
  totalCost: string;
  promptCost: string;
  completionCost: string;
  totalTokens: number;
  promptTokens: number;
  completionTokens: number;
  averageCostPerMessage: string | null;
  costByDay: (CostBucket & { day: string })[];
  costByModel: (CostBucket & { model: string; averageCostPerMessage: string | null })[];
  recentTrails: LlmAuditTrail[];
}

/** The project's trails in [from, to); either bound may be open. */
const IN_RANGE = `project_id = ? and called_at >= coalesce(?::timestamptz, '-infinity') and called_at < coalesce(?::timestamptz, 'infinity')`;

/**
 * Totals, per-day and per-model breakdowns, computed by PostgreSQL over numeric columns
 * (sums are exact; averages are rounded to 10 decimals). Placeholders count as messages
 * but not towards the average, which is over calls whose cost is known.
 */
export async function costAnalytics(
  em: EntityManager,
  args: { projectId: string; from?: Date | null; to?: Date | null; recent: number },
): Promise<CostAnalytics> {
  const from = args.from ?? null;
  const to = args.to ?? null;
  if (from && to && from >= to) throw badInput('from must be before to');
  const project = await em.findOne(Project, { id: args.projectId });
  if (!project) throw notFound('Project');
  const params = [project.id, from, to];

  const [totals] = await em.execute<Record<string, string>[]>(
    `select count(*) as messages, count(total_cost) as completed,
            coalesce(sum(total_cost), 0) as total_cost, coalesce(sum(prompt_cost), 0) as prompt_cost,
            coalesce(sum(completion_cost), 0) as completion_cost, coalesce(sum(total_tokens), 0) as total_tokens,
            coalesce(sum(prompt_tokens), 0) as prompt_tokens, coalesce(sum(completion_tokens), 0) as completion_tokens,
            round(avg(total_cost), 10) as average_cost
       from llm_audit_trails where ${IN_RANGE}`,
    params,
  );
  // Every day between the first and the last call appears, with zeros where there were no calls (UTC days).
  const byDay = await em.execute<Record<string, string>[]>(
    `with t as (select (called_at at time zone 'UTC')::date as day, total_cost, total_tokens from llm_audit_trails where ${IN_RANGE}),
          days as (select generate_series(min(day), max(day), interval '1 day')::date as day from t)
     select to_char(days.day, 'YYYY-MM-DD') as day, count(t.day) as messages,
            coalesce(sum(t.total_cost), 0) as cost, coalesce(sum(t.total_tokens), 0) as tokens
       from days left join t on t.day = days.day
      group by days.day order by days.day`,
    params,
  );
  const byModel = await em.execute<Record<string, string>[]>(
    `select model, count(*) as messages, coalesce(sum(total_cost), 0) as cost, coalesce(sum(total_tokens), 0) as tokens,
            round(avg(total_cost), 10) as average_cost
       from llm_audit_trails where ${IN_RANGE}
      group by model order by sum(total_cost) desc nulls last, model`,
    params,
  );
  const recentTrails =
    args.recent === 0
      ? []
      : await em.find(
          LlmAuditTrail,
          { project, ...((from || to) && { timestamp: { ...(from && { $gte: from }), ...(to && { $lt: to }) } }) },
          { orderBy: { timestamp: 'desc', id: 'desc' }, limit: args.recent },
        );

  return {
    project,
    from,
    to,
    messageCount: Number(totals.messages),
    completedCount: Number(totals.completed),
    totalCost: totals.total_cost,
    promptCost: totals.prompt_cost,
    completionCost: totals.completion_cost,
    totalTokens: Number(totals.total_tokens),
    promptTokens: Number(totals.prompt_tokens),
    completionTokens: Number(totals.completion_tokens),
    averageCostPerMessage: totals.average_cost,
    costByDay: byDay.map((r) => ({ day: r.day, messageCount: Number(r.messages), totalCost: r.cost, totalTokens: Number(r.tokens) })),
    costByModel: byModel.map((r) => ({
      model: r.model,
      messageCount: Number(r.messages),
      totalCost: r.cost,
      totalTokens: Number(r.tokens),
      averageCostPerMessage: r.average_cost,
    })),
    recentTrails,
  };
}
