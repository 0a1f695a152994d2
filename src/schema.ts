import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { permissions } from './permissions/shield';
import { ApiKeyResolver } from './resolvers/api-key.resolver';
import { AssessmentOperationsResolver } from './resolvers/assessment-operations.resolver';
import { AssessmentResolver } from './resolvers/assessment.resolver';
import { AuthResolver } from './resolvers/auth.resolver';
import { UserResolver } from './resolvers/user.resolver';

export const resolvers = [AuthResolver, UserResolver, ApiKeyResolver, AssessmentResolver, AssessmentOperationsResolver] as const;

/** The schema as emitted to schema.graphql, without permissions. */
export const buildBareSchema = (): Promise<GraphQLSchema> =>
  buildSchema({ resolvers, validate: { forbidUnknownValues: true }, emitSchemaFile: false });

/** The executable schema: every resolver behind graphql-shield. */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  return applyMiddleware(await buildBareSchema(), permissions);
}
