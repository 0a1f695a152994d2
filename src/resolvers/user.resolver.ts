import { Arg, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/core';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { StudentProfile, TeacherProfile, User } from '../entities';
import { Role } from '../entities/role';
import { notFound } from '../errors';
import { studentsInCare, visibleUsers } from '../permissions/user.scope';
import { paginate } from '../services/pagination';
import { Connection } from '../types/connection';
import { CreateUserInput, UserFilter } from '../types/user.inputs';

@ObjectType()
export class UserConnection extends Connection(User) {}

function filterQuery(filter: UserFilter | undefined): FilterQuery<User> {
  const where: FilterQuery<User>[] = [];
  if (filter?.role) where.push({ role: filter.role });
  if (filter?.cohort) where.push({ studentProfile: { cohort: filter.cohort } });
  if (filter?.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push({ $or: [{ email: { $ilike: like } }, { username: { $ilike: like } }] });
  }
  return { $and: where };
}

@Resolver(() => User)
export class UserResolver {
  @Query(() => UserConnection, { description: 'Every account (admins and auditors).' })
  users(
    @Ctx() ctx: Context,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return paginate(ctx.em, User, filterQuery(filter), { first, after });
  }

  @Cacheable()
  @Query(() => UserConnection, {
    description: 'Students the caller may see: a teacher those of the cohorts they teach, a student only themself.',
  })
  async students(
    @Ctx() ctx: Context,
    @Arg('cohort', () => String, { nullable: true }) cohort?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const where: FilterQuery<User> = {
      $and: [studentsInCare(ctx.viewer!), cohort ? { studentProfile: { cohort } } : {}],
    };
    const page = await paginate(ctx.em, User, where, { first, after });
    // Students in the viewer's care are within what the user predicate admits.
    knownVisible(ctx, page.edges.map((edge) => edge.node));
    return page;
  }

  @Cacheable()
  @Query(() => User, { description: 'One account, if the caller may see it; otherwise NOT_FOUND.' })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<User> {
    const user = await ctx.em.findOne(User, { $and: [{ id }, visibleUsers(ctx.viewer!)] });
    if (!user) throw notFound('User');
    knownVisible(ctx, [user]);
    return user;
  }

  @Mutation(() => User, { description: 'Creates an account of any role (admins).' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.create(ctx.em, input, ctx.audit);
  }

  @Mutation(() => User, { description: 'Refuses logins and ends every session and token of the account (admins).' })
  lockUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.lock(ctx.em, userId, ctx.viewer!.user.id, ctx.audit);
  }

  @Mutation(() => User, { description: 'Lets the account sign in again and clears its failed-login count (admins).' })
  unlockUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.unlock(ctx.em, userId, ctx.audit);
  }

  @FieldResolver(() => StudentProfile, { nullable: true })
  studentProfile(@Root() user: Readonly<User>, @Ctx() ctx: Context) {
    return user.role === Role.STUDENT ? ctx.loaders.studentProfileByUserId.load(user.id) : null;
  }

  @FieldResolver(() => TeacherProfile, { nullable: true })
  teacherProfile(@Root() user: Readonly<User>, @Ctx() ctx: Context) {
    return user.role === Role.TEACHER ? ctx.loaders.teacherProfileByUserId.load(user.id) : null;
  }
}
