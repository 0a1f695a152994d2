import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { RequestRejected } from './input-guard';

/** One query parameter: an argument of the field, or a field of an input-object argument (`from` of `filter`). */
interface Parameter {
  argument: string;
  /** The input field inside the argument, when the argument is an input object. */
  inputField: string | null;
  type: GraphQLInputType;
}

/** What one CSV request asks GraphQL: the operation to run, and its columns in order. */
export interface StatsCsvRequest {
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
  columns: { name: string; from: 'key' | 'values'; field: string }[];
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The field of a result type that carries an enum value: `AVG_SCORE` → `avgScore`, `STUDENT` → `studentId`. */
function fieldOf(type: GraphQLObjectType, value: string): string {
  const wanted = [value.toLowerCase(), `${value.toLowerCase()}_id`];
  const found = Object.keys(type.getFields()).find((f) => wanted.includes(snakeCase(f)));
  if (!found) throw new Error(`${type.name} has no field for ${value}`);
  return found;
}

function enumListArgument(args: readonly GraphQLArgument[], name: string) {
  const arg = args.find((a) => a.name === name);
  const named = arg && getNamedType(arg.type);
  if (!arg || !isEnumType(named) || !isListType(getNullableType(arg.type))) throw new Error(`expected ${name}: [Enum!]!`);
  return named;
}

function objectField(type: GraphQLObjectType, name: string): GraphQLObjectType {
  const named = type.getFields()[name] && getNamedType(type.getFields()[name].type);
  if (!isObjectType(named)) throw new Error(`${type.name}.${name} is not an object type`);
  return named;
}

/** A parameter's text as its GraphQL type reads it; enums are checked here so the refusal names the allowed values. */
function parseValue(name: string, text: string, type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return text === '' ? [] : text.split(',').map((item) => parseValue(name, item.trim(), nullable.ofType));
  }
  if (isEnumType(nullable)) {
    if (!nullable.getValue(text)) {
      const allowed = nullable.getValues().map((v) => v.name);
      throw new RequestRejected(`Unknown ${nullable.name} "${text}" in ${name}: use one of ${allowed.join(', ')}`);
    }
    return text;
  }
  // Numbers and booleans that do not parse stay text, so GraphQL's coercion refuses them with its own message.
  if (nullable === GraphQLInt || nullable === GraphQLFloat) return text.trim() === '' || Number.isNaN(Number(text)) ? text : Number(text);
  if (nullable === GraphQLBoolean) return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * A Query field of grouped statistics as a CSV request: query parameters read by the
 * field's argument types (input objects flattened: `from` is `filter.from`), a document that
 * asks for the requested dimensions' keys and metrics' values, and the CSV columns in
 * `groupBy` then `metrics` order, named in lower_snake_case. Checked against the schema once,
 * when the route is made.
 */
export function statsCsvOperation(schema: GraphQLSchema, fieldName: string): (search: URLSearchParams) => StatsCsvRequest {
  const field = schema.getQueryType()?.getFields()[fieldName];
  if (!field) throw new Error(`Query.${fieldName} does not exist`);
  const dimensions = enumListArgument(field.args, 'groupBy');
  const metrics = enumListArgument(field.args, 'metrics');
  const result = getNamedType(field.type);
  if (!isObjectType(result)) throw new Error(`Query.${fieldName} does not answer an object`);
  const rows = objectField(result, 'rows');
  const keyType = objectField(rows, 'key');
  const valuesType = objectField(rows, 'values');
  const keyField = new Map(dimensions.getValues().map((v) => [v.name, fieldOf(keyType, v.name)]));
  const valueField = new Map(metrics.getValues().map((v) => [v.name, fieldOf(valuesType, v.name)]));

  const parameters = new Map<string, Parameter>();
  // groupBy, metrics, then the rest as the schema lists them: refusals name the parameters in the order a URL gives them.
  const rank = (arg: GraphQLArgument) => (arg.name === 'groupBy' ? 0 : arg.name === 'metrics' ? 1 : 2);
  const args = [...field.args].sort((a, b) => rank(a) - rank(b));
  for (const arg of args) {
    const named = getNamedType(arg.type);
    const entries: [string, Parameter][] = isInputObjectType(named)
      ? Object.values(named.getFields()).map((f) => [f.name, { argument: arg.name, inputField: f.name, type: f.type }])
      : [[arg.name, { argument: arg.name, inputField: null, type: arg.type }]];
    for (const [name, parameter] of entries) {
      if (parameters.has(name)) throw new Error(`Query.${fieldName}: two arguments give the parameter ${name}`);
      parameters.set(name, parameter);
    }
  }
  const operationName = `${fieldName[0].toUpperCase()}${fieldName.slice(1)}Csv`;

  return (search) => {
    const variables: Record<string, unknown> = {};
    for (const name of new Set(search.keys())) {
      const parameter = parameters.get(name);
      if (!parameter) throw new RequestRejected(`Unknown parameter "${name}": use ${[...parameters.keys()].join(', ')}`);
      const texts = search.getAll(name);
      if (texts.length > 1 && !isListType(getNullableType(parameter.type))) throw new RequestRejected(`Parameter ${name} is given more than once`);
      const value = parseValue(name, texts.join(','), parameter.type);
      if (parameter.inputField) ((variables[parameter.argument] ??= {}) as Record<string, unknown>)[parameter.inputField] = value;
      else variables[parameter.argument] = value;
    }
    for (const arg of field.args) {
      if (isNonNullType(arg.type) && !(arg.name in variables)) {
        const named = getNamedType(arg.type);
        const values = isEnumType(named) ? `: a comma-separated list of ${named.name} (${named.getValues().map((v) => v.name).join(', ')})` : '';
        throw new RequestRejected(`Missing parameter ${arg.name}${values}`);
      }
    }
    const grouped = [...new Set(variables.groupBy as string[])];
    const measured = [...new Set(variables.metrics as string[])];
    const given = field.args.filter((a) => a.name in variables);
    const keys = grouped.map((d) => keyField.get(d)!);
    const values = measured.map((m) => valueField.get(m)!);
    // __typename keeps each selection set valid when nothing is grouped or measured (the field then refuses or answers one group).
    const query =
      `query ${operationName}(${given.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')}) ` +
      `{ ${fieldName}(${given.map((a) => `${a.name}: $${a.name}`).join(', ')}) ` +
      `{ truncated rows { key { __typename ${keys.join(' ')} } values { __typename ${values.join(' ')} } } } }`;
    return {
      query,
      operationName,
      variables,
      columns: [
        ...keys.map((f) => ({ name: snakeCase(f), from: 'key' as const, field: f })),
        ...values.map((f) => ({ name: snakeCase(f), from: 'values' as const, field: f })),
      ],
    };
  };
}
