import type { and, IRules } from 'graphql-shield';

type ShieldRule = Parameters<typeof and>[number];

export type TypeRules = Record<string, ShieldRule | Record<string, ShieldRule>>;

/**
 * Each aggregate keeps its permission map beside its rules (`*.permissions.ts`);
 * this joins them, refusing a type or field claimed twice.
 */
export function mergeRules(...parts: TypeRules[]): IRules {
  const merged: Record<string, ShieldRule | Record<string, ShieldRule>> = {};
  for (const part of parts) {
    for (const [type, rules] of Object.entries(part)) {
      const existing = merged[type];
      if (existing === undefined) {
        merged[type] = rules;
        continue;
      }
      if (!isFieldMap(existing) || !isFieldMap(rules)) throw new Error(`permissions for ${type} are declared twice`);
      for (const [field, rule] of Object.entries(rules)) {
        if (field in existing) throw new Error(`permission for ${type}.${field} is declared twice`);
        existing[field] = rule;
      }
    }
  }
  return merged;
}

const isFieldMap = (value: unknown): value is Record<string, ShieldRule> =>
  typeof value === 'object' && value !== null && value.constructor === Object;
