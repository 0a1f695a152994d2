import type { EntityManager } from '@mikro-orm/postgresql';
import { raw, type EntityName, type FilterQuery, type FindOptions } from '@mikro-orm/core';
import { badInput } from '../errors';
import type { Page } from '../types/connection';
import { isStorableDate } from '../types/date-time.scalar';
import { microsOf } from '../entities/precise-timestamp';
import { allOf, type SqlCondition } from '../permissions/sql-condition';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Cursors of lists ordered by a log's seq (flags, webhook deliveries). */
export const encodeSeqCursor = (seq: number) => Buffer.from(String(seq)).toString('base64url');

export function decodeSeqCursor(cursor: string | null | undefined): number | null {
  if (cursor == null) return null;
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq < 1) throw badInput('after is not a cursor returned by this connection');
  return seq;
}

interface Keyed {
  id: string;
  createdAt: Date;
}

interface Position {
  micros: bigint;
  id: string;
}

/** [created_at in microseconds since the epoch, id]: exact, whatever the timestamps. */
const encode = (row: Keyed) => Buffer.from(JSON.stringify([String(microsOf(row.createdAt)), row.id])).toString('base64url');

function decode(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error();
    if (typeof at === 'string' && /^\d{1,17}$/.test(at)) return { micros: BigInt(at), id };
    // Cursors handed out before microseconds carried an ISO string.
    const createdAt = new Date(at as string);
    if (typeof at !== 'string' || !isStorableDate(createdAt)) throw new Error();
    return { micros: BigInt(createdAt.getTime()) * 1000n, id };
  } catch {
    throw badInput('after is not a cursor returned by this connection');
  }
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** `first` as asked, or the default; outside 1..MAX_PAGE_SIZE it is the caller's error. */
export function pageSize(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** A page from `first + 1` rows fetched past the cursor: the extra row only says there is more. */
export function toPage<T>(rows: T[], first: number, afterGiven: boolean, encode: (row: T) => string, count: () => Promise<number>): Page<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encode(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: afterGiven,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    count,
  };
}

const at = (after: Position): unknown => raw(`(timestamptz 'epoch' + ?::bigint * interval '1 microsecond')`, [String(after.micros)]);

/**
 * Keyset pagination, newest first, ordered by (created_at, id) so cursors stay stable
 * while rows are added. One statement for the page; the count runs only if requested.
 */
export async function paginate<T extends Keyed>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  options: Pick<FindOptions<T>, 'populate'> = {},
): Promise<Page<T>> {
  const first = pageSize(args);
  const after = args.after ? decode(args.after) : null;
  // Two raw fragments: MikroORM consumes a raw value when it renders it.
  const keyset = after ? { $or: [{ createdAt: { $lt: at(after) } }, { createdAt: at(after), id: { $lt: after.id } }] } : {};
  const rows = await em.find(entity, { $and: [where, keyset] } as FilterQuery<T>, {
    ...options,
    orderBy: { createdAt: 'desc', id: 'desc' } as FindOptions<T>['orderBy'],
    limit: first + 1,
  });
  return toPage(rows, first, after !== null, encode, () => em.count(entity, where));
}

/** Where rows come from in a hand-written page: `select columns from table alias joins`. */
export interface RowSource {
  table: string;
  alias: string;
  columns: string;
  /** Joined for the page's rows only (one row each), never for the count. */
  joins?: string;
}

/**
 * paginate() over plain rows: the same keyset and cursors, in hand-written SQL under a
 * scope's condition, each row mapped by `map` (no unit of work, no identity map). For
 * read-only lists, whose rows no one changes within the request.
 */
export async function paginateRows<T extends Keyed>(
  em: EntityManager,
  source: RowSource,
  condition: SqlCondition,
  args: PageArgs,
  map: (row: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const first = pageSize(args);
  const after = args.after ? decode(args.after) : null;
  const { table, alias, columns } = source;
  const keyset = after
    ? { sql: `(${alias}.created_at, ${alias}.id) < (timestamptz 'epoch' + ?::bigint * interval '1 microsecond', ?::uuid)`, params: [String(after.micros), after.id] }
    : null;
  const where = keyset ? allOf(condition, keyset) : condition;
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${columns} from ${table} ${alias} ${source.joins ?? ''} where ${where.sql} order by ${alias}.created_at desc, ${alias}.id desc limit ?`,
    [...where.params, first + 1],
  );
  const count = async () => {
    const [row] = await em.execute<{ n: string }[]>(`select count(*) as n from ${table} ${alias} where ${condition.sql}`, condition.params);
    return Number(row.n);
  };
  return toPage(rows.map(map), first, after !== null, encode, count);
}
