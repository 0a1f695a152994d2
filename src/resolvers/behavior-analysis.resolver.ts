import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { BehaviorAnalysis, ExamAttempt } from '../entities';
import { BehaviorAnalysisInput } from '../types/behavior-analysis.inputs';

@Resolver(() => BehaviorAnalysis)
export class BehaviorAnalysisResolver {
  @Mutation(() => BehaviorAnalysis, {
    description: "Saves (or replaces) an attempt's analysis: admins, or a teacher's API key with analysis:write. Resending the same analysis changes nothing more.",
  })
  saveBehaviorAnalysis(@Arg('input', () => BehaviorAnalysisInput) input: BehaviorAnalysisInput, @Ctx() ctx: Context): Promise<BehaviorAnalysis> {
    return ctx.services.behaviorAnalyses.save(ctx.em, ctx.viewer!, input);
  }

  @Query(() => BehaviorAnalysis, { nullable: true, description: "An attempt's analysis (null until one is saved), for those who may see the attempt." })
  async behaviorAnalysis(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: Context): Promise<BehaviorAnalysis | null> {
    await ctx.services.monitoringRead.readableAttempt(ctx.em, ctx.viewer!, attemptId, true);
    return ctx.loaders.analysisByAttemptId.load(attemptId);
  }

  @FieldResolver(() => ID)
  attemptId(@Root() analysis: BehaviorAnalysis): string {
    return analysis.attempt.id;
  }
}

@Resolver(() => ExamAttempt)
export class AttemptAnalysisResolver {
  @FieldResolver(() => BehaviorAnalysis, { nullable: true, description: 'The scoring service\'s analysis, once saved.' })
  behaviorAnalysis(@Root() attempt: Readonly<ExamAttempt>, @Ctx() ctx: Context): Promise<BehaviorAnalysis | null> {
    return ctx.loaders.analysisByAttemptId.load(attempt.id);
  }
}
