import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/*
 * Turns the schema into documents: for a root field, a selection of every field reachable
 * below it (each type at most once on a path, so the tree is finite), `__typename` on
 * every object so ids can be attributed, and values for required arguments.
 */

/** Supplies a value for an argument, or says why it cannot (the test then fails naming it). */
export type ArgValue = { value: unknown } | { missing: string };
export type ArgSupplier = (owner: string, field: GraphQLField<unknown, unknown>, arg: GraphQLArgument) => ArgValue;

const MAX_OBJECT_DEPTH = 8;

export class UnsuppliedArgument extends Error {}

const literal = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
};

/** A value as a GraphQL literal of `type`: enum values bare, at any depth of lists and input objects. */
export function enumLiteral(type: GraphQLInputType, value: unknown): string {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return literal(value);
  if (isListType(inner) && Array.isArray(value)) return `[${value.map((v) => enumLiteral(inner.ofType, v)).join(', ')}]`;
  if (isEnumType(inner) && typeof value === 'string') return value;
  if (isInputObjectType(inner) && typeof value === 'object') {
    const fields = inner.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${fields[k] ? enumLiteral(fields[k].type, v) : literal(v)}`).join(', ')} }`;
  }
  return literal(value);
}

export function requiredArgs(owner: string, field: GraphQLField<unknown, unknown>, supply: ArgSupplier): string {
  const parts: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
    const supplied = supply(owner, field, arg);
    if ('missing' in supplied) throw new UnsuppliedArgument(`${owner}.${field.name}(${arg.name}): ${supplied.missing}`);
    parts.push(`${arg.name}: ${enumLiteral(arg.type, supplied.value)}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

/**
 * `exclude` holds `Type.field` pairs left out (fields the caller was refused), so one
 * denied field does not null the whole response and hide what the rest returns.
 */
export function selectionOf(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  supply: ArgSupplier,
  path: string[] = [],
  exclude: ReadonlySet<string> = new Set(),
): string {
  if (isUnionType(type) || isInterfaceType(type)) {
    const possible = schema.getPossibleTypes(type);
    return `{ __typename ${possible.map((t) => `... on ${t.name} ${selectionOf(schema, t, supply, path, exclude)}`).join(' ')} }`;
  }
  const object = type as GraphQLObjectType;
  const within = [...path, object.name];
  const parts = ['__typename'];
  for (const field of Object.values(object.getFields())) {
    if (exclude.has(`${object.name}.${field.name}`)) continue;
    const named = getNamedType(field.type);
    const args = requiredArgs(object.name, field, supply);
    if (isScalarType(named) || isEnumType(named)) {
      parts.push(`${field.name}${args}`);
    } else if (within.length < MAX_OBJECT_DEPTH && !within.includes(named.name)) {
      parts.push(`${field.name}${args} ${selectionOf(schema, named, supply, within, exclude)}`);
    }
  }
  return `{ ${parts.join(' ')} }`;
}

/**
 * What the test chose for a field of an input object, or undefined to leave it to the sampler
 * (which fills only required fields, and knows nothing of what the server accepts).
 */
export type InputChoice = (inputType: string, field: string) => unknown;

/** A value of an input type, the test's choices where it made them; undefined when it cannot make one up. */
export function sampleInput(type: GraphQLInputType, idFor: (name: string) => unknown, name: string, choose: InputChoice = () => undefined): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [sampleInput(inner.ofType, idFor, name, choose)];
  const named = getNamedType(inner);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      const required = isNonNullType(f.type) && f.defaultValue === undefined;
      const value = choose(named.name, f.name) ?? (required ? sampleInput(f.type, idFor, f.name, choose) : undefined);
      if (value !== undefined) out[f.name] = value;
    }
    return out;
  }
  switch (named.name) {
    case 'ID':
      return idFor(name);
    case 'String':
      return 'leak-test';
    case 'Int':
      return 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return false;
    case 'DateTimeISO':
    case 'DateTime':
      return new Date().toISOString();
    case 'JSONObject':
      return {};
    default:
      return undefined;
  }
}

/**
 * What to leave out once `Type.field` is refused: it, and if it is non-null (so refusing it
 * nulls its row) every other non-null leaf of the type but its ids, each of which could null
 * the row again, one ask at a time; a mutation may not be asked again.
 */
export function leftOutWith(schema: GraphQLSchema, refused: string): string[] {
  const [typeName, fieldName] = refused.split('.');
  const fields = (schema.getType(typeName) as GraphQLObjectType).getFields();
  if (!isNonNullType(fields[fieldName].type)) return [refused];
  const rowNulling = Object.values(fields).filter((f) => isNonNullType(f.type) && isLeafType(getNamedType(f.type)) && getNamedType(f.type).name !== 'ID');
  return [refused, ...rowNulling.map((f) => `${typeName}.${f.name}`)];
}

/** The `Type.field` an error path ends at, walking the schema from `root`. */
export function fieldAtPath(root: GraphQLObjectType, path: readonly (string | number)[]): string | null {
  let type: GraphQLNamedType | null | undefined = root;
  let last: string | null = null;
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    if (!type || !('getFields' in type)) return null;
    const field: GraphQLField<unknown, unknown> | undefined = (type as GraphQLObjectType).getFields()[segment];
    if (!field) return null;
    last = `${type.name}.${segment}`;
    type = getNamedType(field.type);
  }
  return last;
}

/** Whether a value of `type` can hold an ID: one of its fields, or of any object below it, is an ID. */
export function carriesId(schema: GraphQLSchema, type: GraphQLOutputType, seen: Set<string> = new Set()): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  if (seen.has(named.name)) return false;
  seen.add(named.name);
  if (isUnionType(named) || isInterfaceType(named)) return schema.getPossibleTypes(named).some((t) => carriesId(schema, t, seen));
  return isObjectType(named) && Object.values(named.getFields()).some((f) => carriesId(schema, f.type, seen));
}
