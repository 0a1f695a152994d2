import type { EntityManager } from '@mikro-orm/postgresql';
import Decimal from 'decimal.js';
import { binStart, sampleRange } from '../../services/governance-metric.service';
import { DEMO_PROJECT_NAME, DEMO_WORKFLOWS } from './governance';
import { seededRandom } from './prng';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The live demo rows span the last 7 days; the synthetic history the 3 weeks before them. */
const LIVE_DAYS = 7;
const HISTORY_DAYS = 21;
/** Before the modes of today, the pilot tagged most work (the rest had no mode). */
const HISTORY_MODES = ['pilot', 'pilot', 'pilot', 'pilot', ''];

interface Row {
  name: string;
  dimension: string;
  dimension_value: string;
  interval_start: string;
  interval_end: string;
  value: string;
}

/** One synthetic hour of work, as the governance-metrics job would have sampled it. */
function hourRows(random: ReturnType<typeof seededRandom>, start: Date, projectId: string): Row[] {
  const busy = start.getUTCHours() >= 7 && start.getUTCHours() < 19 && start.getUTCDay() % 6 !== 0;
  const sums = new Map<string, Decimal>();
  const add = (name: string, dimension: string, value: string, amount: Decimal.Value) => {
    const key = `${name}|${dimension}|${value}`;
    sums.set(key, (sums.get(key) ?? new Decimal(0)).plus(amount));
  };
  const count = (name: string, amount: Decimal.Value, dims: [string, string][]) => {
    add(name, '', '', amount);
    for (const [dimension, value] of dims) add(name, dimension, value, amount);
  };
  for (const name of ['workflows_started', 'workflows_completed', 'workflows_failed', 'llm_calls', 'llm_tokens', 'llm_cost']) add(name, '', '', 0);
  for (let i = random.int(0, busy ? 3 : 1); i > 0; i--) {
    const dims: [string, string][] = [['mode', random.pick(HISTORY_MODES)], ['workflow', random.pick(DEMO_WORKFLOWS)]];
    count('workflows_started', 1, dims);
    count(random.int(1, 10) <= 8 ? 'workflows_completed' : 'workflows_failed', 1, dims);
  }
  let audited = 0;
  for (let i = random.int(0, busy ? 6 : 1); i > 0; i--) {
    const dims: [string, string][] = [['mode', random.pick(HISTORY_MODES)], ['project', projectId]];
    const tokens = random.int(500, 4200);
    count('llm_calls', 1, dims);
    count('llm_tokens', tokens, dims);
    count('llm_cost', new Decimal(tokens).times(random.pick(['0.6', '2.5', '4'])).div(1_000_000).toFixed(10), dims);
    audited++;
  }
  const finished = sums.get('workflows_completed||')!.plus(sums.get('workflows_failed||')!);
  add('audit_entries', '', '', sums.get('workflows_started||')!.plus(finished).plus(audited).plus(random.int(0, busy ? 4 : 0)));
  add('failed_logins', '', '', random.int(0, 20) === 0 ? random.int(1, 3) : 0);
  const rows: Row[] = [];
  const end = new Date(start.getTime() + HOUR_MS).toISOString();
  for (const [key, value] of sums) {
    const [name, dimension, dimensionValue] = key.split('|');
    rows.push({ name, dimension, dimension_value: dimensionValue, interval_start: start.toISOString(), interval_end: end, value: value.toFixed() });
    if (name === 'workflows_completed') {
      const failed = sums.get(`workflows_failed|${dimension}|${dimensionValue}`) ?? new Decimal(0);
      const all = value.plus(failed);
      if (all.gt(0)) rows.push({ ...rows.at(-1)!, name: 'workflow_success_rate', value: value.div(all).toDecimalPlaces(10).toFixed() });
    }
  }
  for (const [key, failed] of sums) {
    const [name, dimension, dimensionValue] = key.split('|');
    if (name === 'workflows_failed' && failed.gt(0) && !sums.has(`workflows_completed|${dimension}|${dimensionValue}`)) {
      rows.push({ name: 'workflow_success_rate', dimension, dimension_value: dimensionValue, interval_start: start.toISOString(), interval_end: end, value: '0' });
    }
  }
  return rows;
}

/**
 * A month of hourly governance metrics: the last 7 days sampled from the live demo rows by the
 * job's own SQL (so the series match the raw rows), and the 3 weeks before them synthetic,
 * from a fixed seed, as if the pilot had run then. Inside the seed's transaction; the
 * governance-metrics job continues from the last sample.
 */
export async function seedGovernanceMetrics(em: EntityManager, now: Date) {
  const [{ id: projectId }] = await em.execute<{ id: string }[]>(`select id from projects where name = ?`, [DEMO_PROJECT_NAME]);
  const liveFrom = new Date(binStart(now, HOUR_MS).getTime() - LIVE_DAYS * DAY_MS);
  const random = seededRandom(1207);
  const rows: Row[] = [];
  for (let t = liveFrom.getTime() - HISTORY_DAYS * DAY_MS; t < liveFrom.getTime(); t += HOUR_MS) rows.push(...hourRows(random, new Date(t), projectId));
  await em.execute(
    `insert into governance_metrics (name, dimension, dimension_value, interval_start, interval_end, value)
     select * from json_to_recordset(?::json) as x(name text, dimension text, dimension_value text, interval_start timestamptz, interval_end timestamptz, value numeric)`,
    [JSON.stringify(rows)],
  );
  const live = await sampleRange(em, liveFrom, binStart(now, HOUR_MS), 3600);
  return rows.length + live.length;
}
