import { rule } from 'graphql-shield';
import type { Context } from '../context';

export type RowCheck<R extends object = object> = (row: R, ctx: Context) => boolean | Promise<boolean>;

type ShieldRule = ReturnType<ReturnType<typeof rule>>;

/**
 * A row check answered once per row object and request. A type rule runs for every field
 * of a row, and its answer about the row cannot differ between them. Keyed by the row
 * object, so two rows never share an answer (unlike shield's `contextual` cache), and
 * without hashing the row (unlike its `strict` cache). A settled answer is kept as a plain
 * boolean, so `peek` can tell without waiting.
 */
export class RowVerdicts<R extends object> {
  private readonly answers = new WeakMap<Context, WeakMap<R, boolean | Promise<boolean>>>();

  constructor(private readonly check: RowCheck<R>) {}

  answer(row: R, ctx: Context): boolean | Promise<boolean> {
    let forRequest = this.answers.get(ctx);
    if (!forRequest) this.answers.set(ctx, (forRequest = new WeakMap()));
    let answer = forRequest.get(row);
    if (answer === undefined) {
      answer = ctx.visibleRows.has(row) || this.check(row, ctx);
      forRequest.set(row, answer);
      const settled = forRequest;
      // A rejection stays stored as the promise: shield reports it for every field.
      if (answer instanceof Promise) answer.then((value) => settled.set(row, value), () => undefined);
    }
    return answer;
  }

  /**
   * The answer if it is known now: asks the check if this row was never asked about in this
   * request; undefined while the answer is pending, or when the check threw (shield then
   * asks again and reports the error).
   */
  peek(row: R, ctx: Context): boolean | undefined {
    try {
      const answer = this.answer(row, ctx);
      return typeof answer === 'boolean' ? answer : undefined;
    } catch {
      return undefined;
    }
  }
}

const verdictsOfRule = new WeakMap<ShieldRule, RowVerdicts<object>>();

/**
 * A shield rule about the row itself, answered once per row and request: a row the check
 * lets through is allowed by the rule, which is what lets its fields skip shield
 * (direct-fields.ts).
 */
export function rowRule<R extends object>(name: string, check: RowCheck<R>): ShieldRule {
  const verdicts = new RowVerdicts(check);
  const made = rule(name, { cache: 'no_cache' })((row: R, _a, ctx: Context) => verdicts.answer(row, ctx));
  verdictsOfRule.set(made, verdicts as unknown as RowVerdicts<object>);
  return made;
}

/** The verdicts behind a rule made by rowRule. */
export const rowVerdictsOf = (candidate: unknown): RowVerdicts<object> | undefined =>
  typeof candidate === 'object' && candidate !== null ? verdictsOfRule.get(candidate as ShieldRule) : undefined;
