import { Kind, OperationTypeNode, getOperationAST, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { isCacheable } from './cacheable';

/** Only a query made of plain root fields, every one marked @Cacheable, is stored. */
export function cacheableOperation(operation: OperationDefinitionNode, schema: GraphQLSchema): boolean {
  if (operation.operation !== OperationTypeNode.QUERY) return false;
  const fields = schema.getQueryType()?.getFields() ?? {};
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (selection.name.value === '__typename' || isCacheable(fields[selection.name.value]?.extensions)),
  );
}

/**
 * Whether a request's document could ever be stored, known before it is looked up: keying
 * a request hashes its whole body, which for a batch of 1,000 proctoring events costs more
 * than the lookup saves, and a mutation never hits. Each document text is parsed once; one
 * that does not parse is not cacheable (Apollo explains why).
 */
export function cacheableRequests(schema: GraphQLSchema, maxTokens: number) {
  const known = new LRUCache<string, boolean>({ max: 2000, maxSize: 16 * 1024 * 1024, sizeCalculation: (_value, key) => key.length + 64 });
  return (query: string, operationName: string | null | undefined): boolean => {
    const key = `${operationName ?? ''}\n${query}`;
    let answer = known.get(key);
    if (answer === undefined) {
      try {
        const operation = getOperationAST(parse(query, { maxTokens }), operationName ?? undefined);
        answer = operation != null && cacheableOperation(operation, schema);
      } catch {
        answer = false;
      }
      known.set(key, answer);
    }
    return answer;
  };
}
