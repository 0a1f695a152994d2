import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import { badInput } from '../errors';
import type { Page } from '../types/connection';
import { pageSize, toPage, type PageArgs } from './pagination';

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
  const first = pageSize(args);
  const after = args.after ? decode(args.after) : null;
  const rows = await em.find(entity, { $and: [where, after === null ? {} : { seq: { $lt: after } }] } as FilterQuery<T>, {
    orderBy: { seq: 'desc' },
    limit: first + 1,
  } as FindOptions<T>);
  return toPage(rows, first, after !== null, encode, () => em.count(entity, where));
}
