import { SCORE_DECIMALS } from '../entities/skill';

const SCALE = 10 ** SCORE_DECIMALS;

/**
 * A score, confidence or relevance the database stores exactly: a finite number from 0
 * to 1 with at most 4 decimals (numeric(5,4) would round anything finer, silently).
 */
export const isUnitScore = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 && Math.round(value * SCALE) / SCALE === value;

export const UNIT_SCORE_RULE = `a number from 0 to 1 with at most ${SCORE_DECIMALS} decimals`;

/** Feature importances: a JSON object of at most 200 feature names to finite numbers. */
export function featureImportanceProblem(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'must be a JSON object';
  const entries = Object.entries(value);
  if (entries.length > 200) return 'must name at most 200 features';
  for (const [name, weight] of entries) {
    if (name.length === 0 || name.length > 128) return 'feature names must be 1-128 characters';
    if (typeof weight !== 'number' || !Number.isFinite(weight)) return `feature ${JSON.stringify(name.slice(0, 40))} must map to a finite number`;
  }
  return null;
}
