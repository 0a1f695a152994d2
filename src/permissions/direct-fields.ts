import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { or, type IRules } from 'graphql-shield';
import type { Context } from '../context';
import { toClientError } from './errors';
import { rowVerdictsOf, type RowVerdicts } from './row-rule';
import { allow } from './rules';

type Resolver = GraphQLFieldResolver<unknown, Context>;

/** graphql-shield exports `or()` but neither its class nor the logic rules' type. */
const RuleOr = or(allow).constructor;
type LogicRule = ReturnType<typeof or>;

/** The rule shield applies to a field: its own, else its type's wildcard, else the type's rule, else deny. */
function ruleOf(rules: IRules, type: string, field: string): unknown {
  const forType = (rules as Record<string, unknown>)[type];
  if (forType === undefined) return undefined;
  if (typeof forType === 'object' && forType !== null && forType.constructor === Object) {
    const map = forType as Record<string, unknown>;
    return map[field] ?? map['*'];
  }
  return forType;
}

/**
 * The row checks whose passing is enough for shield to allow the field: the rule itself
 * if it is a row rule, or the row rules among the alternatives of an `or`.
 */
function sufficientRowChecks(rule: unknown): RowVerdicts<object>[] {
  const own = rowVerdictsOf(rule);
  if (own) return [own];
  if (!(rule instanceof RuleOr)) return [];
  return (rule as LogicRule).getRules().flatMap((alternative) => rowVerdictsOf(alternative) ?? []);
}

/** A resolver's errors go through the same mapping shield gives them (public codes pass, the rest masked). */
function mapped(resolve: Resolver): Resolver {
  return (parent, args, ctx, info) => {
    try {
      const value = resolve(parent, args, ctx, info);
      return value instanceof Promise ? value.catch((error: unknown) => toClientError(error, ctx.requestId)) : value;
    } catch (error) {
      return toClientError(error, ctx.requestId);
    }
  };
}

/**
 * Shield wraps every field in an async middleware: a page of 50 rows with evidence is over
 * a thousand rule calls and promises, each answering a question already answered for the
 * row. This lets a field skip shield when shield would allow it without asking: its rule is
 * `allow`, or it is a row rule (rowRule), or an `or` of one, whose check has already let
 * this row through in this request, or lets it through at once (an admin, the row's own
 * student). Everything else (field rules, other logic rules, a pending or refusing check)
 * still runs through shield.
 */
export function directFields(bare: GraphQLSchema, shielded: GraphQLSchema, rules: IRules): void {
  for (const type of Object.values(shielded.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const bareType = bare.getType(type.name);
    if (!isObjectType(bareType)) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      if (field.subscribe) continue;
      const rule = ruleOf(rules, type.name, name);
      const own = mapped((bareType.getFields()[name]?.resolve ?? defaultFieldResolver) as Resolver);
      const viaShield = field.resolve as Resolver;
      if (rule === allow) {
        field.resolve = own;
        continue;
      }
      const checks = sufficientRowChecks(rule);
      if (checks.length === 0) continue;
      field.resolve = (parent, args, ctx: Context, info) =>
        checks.some((verdicts) => verdicts.peek(parent as object, ctx) === true) ? own(parent, args, ctx, info) : viaShield(parent, args, ctx, info);
    }
  }
}
