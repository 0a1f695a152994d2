import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Cacheable } from '../cache/cacheable';
import { knownVisible, type Context } from '../context';
import { Evidence, SkillAssessment, User } from '../entities';
import { SkillType } from '../entities/skill';
import { notFound } from '../errors';
import { assessmentWhere } from '../services/assessment.service';
import type { Page } from '../types/connection';
import { assertUuid } from '../services/uuid';
import { AddEvidenceInput, AssessmentFilter, CreateAssessmentInput } from '../types/assessment.inputs';
import { SkillAssessmentConnection, SkillCount, StudentSkillSummary } from '../types/assessment.types';

/** Writes answer with the row as read back from the database, not the objects that were written. */
async function readBack(ctx: Context, id: string): Promise<SkillAssessment> {
  ctx.em.clear();
  return ctx.em.findOneOrFail(SkillAssessment, { id });
}

/** The page came from a query under the access predicate: its rows are visible by construction. */
function vouchFor<T extends object>(ctx: Context, page: Page<T>): Page<T> {
  knownVisible(ctx, page.edges.map((edge) => edge.node));
  return page;
}

/** The fields of `type` asked for under a parsed field (fragments included), by name. */
const fieldsOf = (tree: Pick<ResolveTree, 'fieldsByTypeName'>, type: string): ResolveTree[] => Object.values(tree.fieldsByTypeName[type] ?? {});

/** The fields asked for on the connection's nodes (edges { node { … } }). */
function nodeFieldsAsked(info: GraphQLResolveInfo | undefined): Set<string> {
  const parsed = info && parseResolveInfo(info);
  if (!parsed || !('fieldsByTypeName' in parsed)) return new Set();
  const edges = fieldsOf(parsed as ResolveTree, 'SkillAssessmentConnection').filter((f) => f.name === 'edges');
  const nodes = edges.flatMap((e) => fieldsOf(e, 'SkillAssessmentEdge')).filter((f) => f.name === 'node');
  return new Set(nodes.flatMap((n) => fieldsOf(n, 'SkillAssessment')).map((f) => f.name));
}

@Resolver(() => SkillAssessment)
export class AssessmentResolver {
  @Cacheable()
  @Query(() => SkillAssessmentConnection, {
    description: 'Assessments the caller may see, newest first: students their own, teachers those of their cohorts.',
  })
  assessments(
    @Ctx() ctx: Context,
    @Arg('filter', () => AssessmentFilter, { nullable: true }) filter?: AssessmentFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    const asked = nodeFieldsAsked(info);
    const relations = {
      evidence: asked.has('evidence') ? ctx.loaders.evidenceByAssessmentId : undefined,
      students: asked.has('student') ? ctx.loaders.userById : undefined,
    };
    return ctx.services.assessments.page(ctx.em, ctx.viewer!, filter ?? {}, { first, after }, relations).then((page) => vouchFor(ctx, page));
  }

  @Cacheable()
  @Query(() => SkillAssessment, { description: 'One assessment, if the caller may see it; otherwise NOT_FOUND.' })
  async assessment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SkillAssessment> {
    const found = await ctx.em.findOne(SkillAssessment, { $and: [{ id: assertUuid(id, 'id') }, assessmentWhere(ctx.viewer!)] });
    if (!found) throw notFound('Assessment');
    return found;
  }

  @Cacheable()
  @Query(() => SkillAssessment, { nullable: true, description: "The student's newest assessment of the skill; null if none is visible." })
  latestAssessment(
    @Arg('studentId', () => ID) studentId: string,
    @Arg('skillType', () => SkillType) skillType: SkillType,
    @Ctx() ctx: Context,
  ): Promise<SkillAssessment | null> {
    return ctx.services.assessments.latest(ctx.em, ctx.viewer!, assertUuid(studentId, 'studentId'), skillType);
  }

  @Cacheable()
  @Query(() => [SkillCount], { description: 'Assessments per skill over what the caller may see (every skill, zeros included).' })
  skillDistribution(@Ctx() ctx: Context, @Arg('filter', () => AssessmentFilter, { nullable: true }) filter?: AssessmentFilter) {
    return ctx.services.assessments.distribution(ctx.em, ctx.viewer!, filter);
  }

  @Cacheable()
  @Query(() => StudentSkillSummary, { description: 'Latest score per skill with its trend; NOT_FOUND for a student the caller may not see.' })
  async studentSkillSummary(@Arg('studentId', () => ID) studentId: string, @Ctx() ctx: Context): Promise<StudentSkillSummary> {
    const { student, skills, missing } = await ctx.services.assessments.summary(ctx.em, ctx.viewer!, assertUuid(studentId, 'studentId'));
    return { student, skills, missingPrimarySkills: missing };
  }

  @Mutation(() => SkillAssessment, {
    description: 'Stores an assessment and its evidence in one transaction (ADMIN, or an admin API key with assessments:write).',
  })
  async createAssessment(@Arg('input', () => CreateAssessmentInput) input: CreateAssessmentInput, @Ctx() ctx: Context) {
    const id = await ctx.services.assessments.create(ctx.em, input);
    return readBack(ctx, id);
  }

  @Mutation(() => SkillAssessment, { description: 'Attaches evidence to an existing assessment; NOT_FOUND if there is none.' })
  async addEvidence(@Arg('input', () => AddEvidenceInput) input: AddEvidenceInput, @Ctx() ctx: Context) {
    const id = await ctx.services.assessments.addEvidence(ctx.em, input.assessmentId, input.evidence);
    return readBack(ctx, id);
  }

  /*
   * Roots are typed `Readonly<…>` (emitted as Object) on purpose: for a class type,
   * type-graphql copies any root that is not an instance into a new one on every call,
   * and pages hand out plain rows.
   */
  /** A visible assessment's student is visible: the assessment predicate admits only students the user predicate does. */
  @FieldResolver(() => User)
  async student(@Root() assessment: Readonly<SkillAssessment>, @Ctx() ctx: Context): Promise<User> {
    const student = await ctx.loaders.userById.load(assessment.student.id);
    if (!student) throw notFound('Student');
    knownVisible(ctx, [student]);
    return student;
  }

  /** Shield let the assessment through before this runs, so its evidence is visible by construction. */
  @FieldResolver(() => [Evidence], { description: 'Oldest first; evidence written together is ordered by id.' })
  async evidence(@Root() assessment: Readonly<SkillAssessment>, @Ctx() ctx: Context): Promise<Evidence[]> {
    const evidence = await ctx.loaders.evidenceByAssessmentId.load(assessment.id);
    knownVisible(ctx, evidence);
    return evidence;
  }
}
