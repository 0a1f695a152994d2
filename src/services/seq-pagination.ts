import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import { badInput } from '../errors';
import type { Page } from '../resolvers/types/connection';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageArgs } from './pagination';

interface Sequenced {
  seq: number;
}

const encode = (row: Sequenced) => Buffer.from(`seq:${row.seq}`).toString('base64url');

function decode(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('after is not a cursor returned by this connection');
  return Number(match[1]);
}

/**
 * Keyset pagination on a gap-free sequence number, newest (highest seq) first. The
 * audit log pages this way rather than by (created_at, id): seq is the chain's own
 * order and is unique, so a cursor is one number.
 */
export async function paginateBySeq<T extends Sequenced>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
): Promise<Page<T>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const after = args.after ? decode(args.after) : null;
  const rows = await em.find(entity, { $and: [where, after === null ? {} : { seq: { $lt: after } }] } as FilterQuery<T>, {
    orderBy: { seq: 'desc' },
    limit: first + 1,
  } as FindOptions<T>);
  const edges = rows.slice(0, first).map((node) => ({ cursor: encode(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    count: () => em.count(entity, where),
  };
}
