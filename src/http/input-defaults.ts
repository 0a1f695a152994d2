import {
  astFromValue,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  valueFromASTUntyped,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

type Variables = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * graphql-jit 0.8.9 refuses a non-null variable left out that has a default
 * (`$recent: Int! = 10`), and a variable's input object that leaves out a non-null field
 * with a default (`severity: MonitoringSeverity! = NORMAL`), where graphql-js and the
 * specification use the default. The function returned writes those defaults into the
 * variables, as a client would have sent them, before graphql-jit coerces them; anything
 * else is left as it is, and nothing is copied for a type without such a field.
 */
export function inputDefaults(schema: GraphQLSchema) {
  const needs = new Map<GraphQLInputObjectType, boolean>();
  const needsDefaults = (type: GraphQLInputType): boolean => {
    if (isNonNullType(type) || isListType(type)) return needsDefaults(type.ofType);
    if (!isInputObjectType(type)) return false;
    const known = needs.get(type);
    if (known !== undefined) return known;
    needs.set(type, false);
    const answer = Object.values(type.getFields()).some((field) => (isNonNullType(field.type) && field.defaultValue !== undefined) || needsDefaults(field.type));
    needs.set(type, answer);
    return answer;
  };

  // Per type, worked out once: the default of each non-null field with one (as a client
  // would write it), and the fields whose own type holds such defaults deeper down.
  interface Plan {
    defaults: [string, unknown][];
    nested: { name: string; type: GraphQLInputType }[];
  }
  const plans = new Map<GraphQLInputObjectType, Plan>();
  const planOf = (type: GraphQLInputObjectType): Plan => {
    let plan = plans.get(type);
    if (!plan) {
      plan = { defaults: [], nested: [] };
      for (const field of Object.values(type.getFields())) {
        const literal = isNonNullType(field.type) && field.defaultValue !== undefined ? astFromValue(field.defaultValue, field.type) : null;
        if (literal) plan.defaults.push([field.name, valueFromASTUntyped(literal)]);
        if (needsDefaults(field.type)) plan.nested.push({ name: field.name, type: field.type });
      }
      plans.set(type, plan);
    }
    return plan;
  };

  const fill = (value: unknown, type: GraphQLInputType): unknown => {
    if (isNonNullType(type)) return fill(value, type.ofType);
    if (isListType(type)) return Array.isArray(value) ? value.map((item) => fill(item, type.ofType)) : fill(value, type.ofType);
    if (!isInputObjectType(type) || !isPlainObject(value) || !needsDefaults(type)) return value;
    // Copied only when something is added: a client that sends every field costs no copy.
    let filled = value;
    const set = (name: string, item: unknown) => {
      if (filled === value) filled = { ...value };
      filled[name] = item;
    };
    const { defaults, nested } = planOf(type);
    for (const [name, literal] of defaults) if (!Object.hasOwn(value, name)) set(name, literal);
    for (const field of nested) {
      if (!Object.hasOwn(value, field.name)) continue;
      const item = fill(value[field.name], field.type);
      if (item !== value[field.name]) set(field.name, item);
    }
    return filled;
  };

  return (definitions: readonly VariableDefinitionNode[], variables: Variables): Variables => {
    let result = variables;
    for (const definition of definitions) {
      const name = definition.variable.name.value;
      const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
      if (!type) continue;
      if (!Object.hasOwn(variables, name)) {
        if (!definition.defaultValue || !isNonNullType(type)) continue;
        if (result === variables) result = { ...variables };
        result[name] = valueFromASTUntyped(definition.defaultValue);
      } else if (needsDefaults(type)) {
        if (result === variables) result = { ...variables };
        result[name] = fill(variables[name], type);
      }
    }
    return result;
  };
}
