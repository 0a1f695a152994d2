import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Project } from '../entities';
import { createProject, deleteProject, updateProject } from '../services/project.service';
import { checkedId } from '../types/ids';
import { CreateProjectInput, UpdateProjectInput } from '../types/project.types';

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => [Project], { description: 'Every project, by name (admins, auditors, and those who may record LLM calls).' })
  projects(@Ctx() ctx: Context): Promise<Project[]> {
    return ctx.em.find(Project, {}, { orderBy: { name: 'asc' } });
  }

  @Mutation(() => Project, { description: 'Creates a project to own LLM audit trails (admins).' })
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: Context): Promise<Project> {
    return createProject(ctx.em, input, ctx.audit);
  }

  @Mutation(() => Project, { description: 'Renames a project or changes its retention (admins).' })
  updateProject(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProjectInput) input: UpdateProjectInput,
    @Ctx() ctx: Context,
  ): Promise<Project> {
    return updateProject(ctx.em, checkedId(id, 'id'), input, ctx.audit);
  }

  @Mutation(() => Boolean, { description: 'Deletes a project and all its trails (admins).' })
  deleteProject(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return deleteProject(ctx.em, checkedId(id, 'id'), ctx.audit);
  }
}
