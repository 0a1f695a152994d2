import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/**
 * Years both PostgreSQL and JavaScript store and print back the same way: PostgreSQL has no
 * year 0 and refuses JavaScript's six-digit years (±275760), and a year past 9999 does not
 * fit the four-digit ISO form clients parse.
 */
export const isStorableDate = (date: Date) => {
  const year = date.getUTCFullYear();
  return !Number.isNaN(year) && year >= 1 && year <= 9999;
};

const storable = (date: Date) => {
  if (!isStorableDate(date)) throw new GraphQLError('DateTimeISO must be in the years 0001-9999');
  return date;
};

const base = GraphQLDateTimeISO.toConfig();

/** graphql-scalars' DateTimeISO, refusing dates outside the storable years as input. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  ...base,
  description: `${base.description} Years 0001-9999.`,
  parseValue: (value) => storable(base.parseValue(value)),
  parseLiteral: (ast, variables) => storable(base.parseLiteral(ast, variables)),
});
