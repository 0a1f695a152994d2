import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { intBelow, seededRng, uuidFrom, type Rng } from '../../src/db/seed/prng';
import { FEATURES, LEVEL_PHRASES, OTHER_EVIDENCE, SKILL_TEXTS } from '../../src/db/seed/assessment-texts';
import { PRIMARY_SKILLS, SkillType } from '../../src/entities/skill';
import { timed } from '../exams/generate';
import { MONITORING_DATABASE_URL } from '../monitoring/common';
import { ASSESSMENTS, assessmentsPresent } from './common';

/*
 * Adds the issue-18 benchmark's skill assessments to the monitoring benchmark's database
 * (which must exist: bench/monitoring/generate.ts), unless they are all there already, so
 * the 10 million events need not be generated again. BENCH_ASSESSMENTS (2,000,000) spread
 * over the school days (Monday to Friday, 08:00-15:00 UTC) of the 24 months before today,
 * each a uniformly drawn student of the exam benchmark's 5,000; every student has a level
 * and a trend per skill, so scores drift as real ones do. The four primary skills take 70 %
 * of them, the other three the rest; 60 % come from the LLM judge, 40 % from the gradient
 * boosting model (with its feature importances), each in three versions over time. Each has
 * 0, 1 or 2 pieces of evidence (1 on average), worded like the demo data's.
 *
 * Rows go in by text COPY, one day's assessments and then that day's evidence per
 * statement, days alternating between two connections, so the table ends up in about the
 * order a real one would (by time). The triggers that fire are the foreign keys' (a key
 * lookup per row, on users and on skill_assessments) and the response cache's statement-level
 * write counters (one bump per COPY). Deterministic: each day draws from its own seed.
 */

const COPY_CONNECTIONS = 2;
const SEED = 18_000_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MONTHS = 24;

const SKILLS = Object.values(SkillType);
const SECONDARY_SKILLS = SKILLS.filter((s) => !PRIMARY_SKILLS.includes(s));
const MODELS = {
  AI_MODEL: { name: 'assay-skill-judge', versions: ['v2.0', 'v2.1', 'v2.2'] },
  ML_INFERENCE: { name: 'skill-gbm', versions: ['1.3.0', '1.4.0', '1.5.0'] },
};

interface Student {
  id: string;
  /** Per skill (in SKILLS order): the level at the start and the change over the 24 months. */
  level: number[];
  growth: number[];
}

const round4 = (x: number) => (Math.round(Math.min(0.99, Math.max(0.02, x)) * 10_000) / 10_000).toFixed(4);

/** Text COPY: backslash, tab, newline and carriage return escaped; null as \N. */
const field = (value: string | null) => (value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));
const line = (values: (string | null)[]) => `${values.map(field).join('\t')}\n`;

/** The school days (UTC midnights) of the MONTHS months before `today`, oldest first. */
function schoolDays(today: number): number[] {
  const start = new Date(today);
  start.setUTCMonth(start.getUTCMonth() - MONTHS);
  const days: number[] = [];
  for (let day = start.getTime(); day < today; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}

function featureImportance(rng: Rng): string {
  const features = [...FEATURES];
  // A partial Fisher-Yates shuffle: four distinct features.
  for (let i = 0; i < 4; i++) {
    const j = i + intBelow(rng, features.length - i);
    [features[i], features[j]] = [features[j], features[i]];
  }
  features.length = 4;
  const weights = features.map(() => 0.05 + 0.95 * rng());
  const total = weights.reduce((a, b) => a + b, 0);
  return JSON.stringify(Object.fromEntries(features.map((f, i) => [f, Math.round((weights[i] / total) * 1000) / 1000])));
}

function evidenceLine(rng: Rng, skill: SkillType, assessmentId: string, at: string): string {
  const texts = SKILL_TEXTS[skill];
  const roll = rng();
  const [kind, content, sourceRef] =
    roll < 0.5
      ? ['LINGUISTIC', texts.quotes[intBelow(rng, texts.quotes.length)], `transcript:TR-${10_000 + intBelow(rng, 90_000)}`]
      : roll < 0.9
        ? ['BEHAVIORAL', texts.observations[intBelow(rng, texts.observations.length)], `game-session:GS-${10_000 + intBelow(rng, 90_000)}`]
        : ['OTHER', OTHER_EVIDENCE[intBelow(rng, OTHER_EVIDENCE.length)], null];
  const relevance = rng() < 0.9 ? (0.3 + 0.7 * rng()).toFixed(4) : null;
  return line([uuidFrom(rng), assessmentId, kind, content, sourceRef, relevance, at]);
}

/** One school day's assessments and their evidence, as text COPY data. */
function dayRows(students: Student[], dayIndex: number, days: number[], count: number): { assessments: string; evidence: string } {
  const rng = seededRng(SEED + dayIndex);
  const progress = dayIndex / days.length;
  const times = Array.from({ length: count }, () => days[dayIndex] + 8 * HOUR + intBelow(rng, 7 * HOUR)).sort((a, b) => a - b);
  let assessments = '';
  let evidence = '';
  for (const time of times) {
    const student = students[intBelow(rng, students.length)];
    const skill = rng() < 0.7 ? PRIMARY_SKILLS[intBelow(rng, PRIMARY_SKILLS.length)] : SECONDARY_SKILLS[intBelow(rng, SECONDARY_SKILLS.length)];
    const s = SKILLS.indexOf(skill);
    const score = round4(student.level[s] + student.growth[s] * progress + (rng() - 0.5) * 0.2);
    const source = rng() < 0.6 ? 'AI_MODEL' : 'ML_INFERENCE';
    const model = MODELS[source];
    const at = new Date(time).toISOString();
    const id = uuidFrom(rng);
    const pieces = [0, 1, 1, 2][intBelow(rng, 4)];
    const phrase = LEVEL_PHRASES.find(([min]) => Number(score) >= min)![1];
    assessments += line([
      id,
      student.id,
      skill,
      score,
      round4(0.6 + 0.37 * rng()),
      `The student ${phrase} ${SKILL_TEXTS[skill].noun}, judged from ${pieces ? `${pieces} piece${pieces > 1 ? 's' : ''} of evidence and ` : ''}the session's transcript.`,
      source,
      model.name,
      model.versions[Math.min(2, Math.floor(progress * 3))],
      source === 'ML_INFERENCE' ? featureImportance(rng) : null,
      at,
      at,
    ]);
    for (let i = 0; i < pieces; i++) evidence += evidenceLine(rng, skill, id, at);
  }
  return { assessments, evidence };
}

const COPY_ASSESSMENTS = `copy skill_assessments (id, student_id, skill_type, score, confidence, reasoning, source, model_name, model_version,
  feature_importance, created_at, updated_at) from stdin`;
const COPY_EVIDENCE = 'copy evidence (id, assessment_id, kind, content, source_ref, relevance, created_at) from stdin';

const copyText = (client: Client, sql: string, data: string) => pipeline(Readable.from([data]), client.query(copyFrom(sql)));

/** Adds the assessments unless all are there; a load cut short is removed and done again. */
export async function generateAssessments(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    if (await assessmentsPresent(db)) {
      process.stdout.write(`${ASSESSMENTS} assessments already in ${databaseUrl}\n`);
      return;
    }
    // This database holds nothing but benchmark rows: a partial load is cleared, not completed.
    await db.query('truncate evidence, skill_assessments');
    const rng = seededRng(SEED);
    const students = (await db.query<{ id: string }>(`select id from users where role = 'STUDENT' order by id`)).rows.map(({ id }) => ({
      id,
      level: SKILLS.map(() => 0.3 + 0.5 * rng()),
      growth: SKILLS.map(() => -0.1 + 0.35 * rng()),
    }));
    if (students.length === 0) throw new Error(`no students in ${databaseUrl}: generate the monitoring benchmark's data first`);
    const today = Math.floor(Date.now() / DAY) * DAY;
    const days = schoolDays(today);
    // Day d gets the assessments between d/n and (d+1)/n of the total, so they add up exactly.
    const countOf = (d: number) => Math.floor(((d + 1) * ASSESSMENTS) / days.length) - Math.floor((d * ASSESSMENTS) / days.length);
    await timed(`assessments (${ASSESSMENTS}, ${days.length} school days, by text COPY on ${COPY_CONNECTIONS} connections)`, () =>
      Promise.all(
        Array.from({ length: COPY_CONNECTIONS }, async (_, lane) => {
          const client = new Client({ connectionString: databaseUrl });
          await client.connect();
          try {
            for (let d = lane; d < days.length; d += COPY_CONNECTIONS) {
              const rows = dayRows(students, d, days, countOf(d));
              await copyText(client, COPY_ASSESSMENTS, rows.assessments);
              await copyText(client, COPY_EVIDENCE, rows.evidence);
            }
          } finally {
            await client.end();
          }
        }),
      ),
    );
    // Vacuum as well: a settled table has its visibility map and hint bits set, so the first
    // measured reads do not pay for writing them.
    await timed('vacuum analyze', () => db.query('vacuum (analyze) skill_assessments, evidence'));
    const { rows } = await db.query<{ assessments: number; evidence: number }>(
      'select (select count(*) from skill_assessments)::int as assessments, (select count(*) from evidence)::int as evidence',
    );
    process.stdout.write(`${rows[0].assessments} assessments, ${rows[0].evidence} pieces of evidence\n`);
  } finally {
    await db.end();
  }
}

if (require.main === module) {
  generateAssessments(MONITORING_DATABASE_URL).catch((error: unknown) => {
    process.stderr.write(`bench stats generate: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
