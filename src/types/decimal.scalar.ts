import { GraphQLScalarType, Kind } from 'graphql';

const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;

/** Drops trailing fractional zeros PostgreSQL pads numeric(p, s) with: "0.0030000000" → "0.003". */
export const normalizeDecimal = (value: string): string =>
  value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;

function parse(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new TypeError('Decimal must be a string of digits with an optional fraction, e.g. "0.0042" (numbers are refused: floats are not exact)');
  }
  return value;
}

/**
 * Exact decimals travel as strings both ways: a JSON number would already have been
 * rounded to a binary float by the time it reached us.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number written as a string, e.g. "0.0042". Never a float.',
  serialize: (value) => normalizeDecimal(parse(typeof value === 'string' ? value : String(value))),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Decimal must be a string literal, e.g. "0.0042"');
    return parse(ast.value);
  },
});
