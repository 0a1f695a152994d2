import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Ctx, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { AuditLog, User } from '../entities';
import { badInput } from '../errors';
import { verifyAuditChain } from '../services/audit-verify.service';
import { paginateBySeq } from '../services/seq-pagination';
import { AuditLogFilter, AuditVerification, VerifyAuditLogArgs } from '../types/audit-log.types';
import { Connection } from '../types/connection';

@ObjectType()
export class AuditLogConnection extends Connection(AuditLog) {}

function filterQuery(filter: AuditLogFilter | undefined): FilterQuery<AuditLog> {
  if (!filter) return {};
  if (filter.from && filter.to && filter.from >= filter.to) throw badInput('filter.from must be before filter.to');
  const where: FilterQuery<AuditLog>[] = [];
  if (filter.actorId) where.push({ $or: [{ actorUserId: filter.actorId }, { actorApiKeyId: filter.actorId }] });
  if (filter.action) where.push({ action: filter.action });
  if (filter.resourceType) where.push({ resourceType: filter.resourceType });
  if (filter.resourceId) where.push({ resourceId: filter.resourceId });
  if (filter.from) where.push({ createdAt: { $gte: filter.from } });
  if (filter.to) where.push({ createdAt: { $lt: filter.to } });
  return { $and: where };
}

@Resolver(() => AuditLog)
export class AuditLogResolver {
  @Query(() => AuditLogConnection, { description: 'The audit log, newest first (admins and auditors).' })
  auditLogs(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditLogFilter, { nullable: true }) filter?: AuditLogFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginateBySeq(ctx.em, AuditLog, filterQuery(filter), { first, after });
  }

  @Query(() => AuditVerification, {
    description:
      'Recomputes the hash chain and reports the first broken link (admins and auditors). With no arguments the whole log is checked; ' +
      'from/to select entries by createdAt, fromSeq/toSeq by seq.',
  })
  verifyAuditLog(@Args(() => VerifyAuditLogArgs) args: VerifyAuditLogArgs, @Ctx() ctx: Context): Promise<AuditVerification> {
    const { anchor, ...range } = args;
    return verifyAuditChain(ctx.em, range, anchor ? [anchor] : []);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The user who acted (directly or through an API key).' })
  actorUser(@Root() entry: AuditLog, @Ctx() ctx: Context) {
    return entry.actorUserId ? ctx.loaders.userById.load(entry.actorUserId) : null;
  }
}
