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

function verdict(c: Comparison): string {
  const ratio = ratioOf(c);
  if (!c.aim || ratio === undefined) return '';
  const met = c.aim.at === 'most' ? ratio <= c.aim.ratio : ratio >= c.aim.ratio;
  return met ? 'met' : '**not met**';
}

/** The report as a Markdown table, ratios first. */
export function renderReport(comparisons: Comparison[]): string {
  const rows = comparisons.map((c) => {
    const ratio = ratioOf(c);
    const aim = c.aim ? `${c.aim.at === 'most' ? '≤' : '≥'} ${c.aim.ratio}×` : '';
    return `| ${ratio === undefined ? '' : `**${ratio.toFixed(2)}×**`} | ${aim} | ${verdict(c)} | ${c.scenario} | ${c.measure} | ${figure(c.assay)} | ${c.baseline ? `${figure(c.baseline.value)} (${c.baseline.name})` : ''} |`;
  });
  return ['| ratio | aim | | scenario | measure | Assay | baseline |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
