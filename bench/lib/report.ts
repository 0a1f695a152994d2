import { appendFileSync, readFileSync } from 'node:fs';

/**
 * One figure of the benchmark report: Assay's, beside its baseline measured in the same run
 * (hand-written SQL, COPY, plain Apollo, a bare fan-out, the same load without the
 * disturbance), or beside the figure an issue aims at when there is no such baseline.
 */
export interface Comparison {
  scenario: string;
  measure: string;
  assay: number;
  baseline?: { name: string; value: number };
  /** What the issue asks of assay / baseline. */
  aim?: { ratio: number; at: 'most' | 'least' };
}

/** Appends to the report file `npm run bench` passes in BENCH_REPORT; a scenario run alone just prints. */
export function report(...comparisons: Comparison[]): void {
  const file = process.env.BENCH_REPORT;
  if (!file) return;
  appendFileSync(file, comparisons.map((c) => `${JSON.stringify(c)}\n`).join(''));
}

export const readReport = (file: string): Comparison[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Comparison);

const figure = (value: number) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : Number(value.toFixed(2)).toString());

export const ratioOf = (c: Comparison) => (c.baseline ? c.assay / c.baseline.value : undefined);

const met = (c: Comparison) => {
  const ratio = ratioOf(c)!;
  return c.aim!.at === 'most' ? ratio <= c.aim!.ratio : ratio >= c.aim!.ratio;
};

/** A measure's rounds, runs or pairs are one row of the report. */
const REPEAT = / \((round|run|pair) \d+\)$/;

/** The report as a Markdown table, ratios first: one row per measure, its rounds side by side. */
export function renderReport(comparisons: Comparison[]): string {
  const measures = new Map<string, Comparison[]>();
  for (const c of comparisons) {
    const key = `${c.scenario}\u0000${c.measure.replace(REPEAT, '')}`;
    measures.set(key, [...(measures.get(key) ?? []), c]);
  }
  const rows = [...measures.values()].map((rounds) => {
    const [first] = rounds;
    const ratios = rounds.map(ratioOf).filter((r) => r !== undefined);
    const aim = first.aim ? `${first.aim.at === 'most' ? '≤' : '≥'} ${first.aim.ratio}×` : '';
    const kept = first.aim && ratios.length ? rounds.filter((c) => c.aim && met(c)).length : undefined;
    const verdict = kept === undefined ? '' : kept === rounds.length ? 'met' : kept === 0 ? '**not met**' : `**met in ${kept} of ${rounds.length}**`;
    const baseline = first.baseline ? `${rounds.map((c) => figure(c.baseline!.value)).join(', ')} (${first.baseline.name})` : '';
    return `| ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')} | ${aim} | ${verdict} | ${first.scenario} | ${first.measure.replace(REPEAT, '')} | ${rounds.map((c) => figure(c.assay)).join(', ')} | ${baseline} |`;
  });
  return ['| ratio (each round) | aim | | scenario | measure | Assay | baseline |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
