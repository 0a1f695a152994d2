import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';

export interface DocumentLimits {
  /** Deepest nesting of list and object values (arguments, defaults, directive arguments). */
  maxValueDepth: number;
  /** Deepest nesting of selection sets (fields' and inline fragments'), a ceiling above the query depth limit. */
  maxSelectionDepth: number;
  /** The parser refuses documents with more tokens, so the scan need not look further. */
  maxTokens: number;
  /** GRAPHQL_MAX_ALIASES and GRAPHQL_MAX_DIRECTIVES, checked per operation or fragment as written. */
  maxAliases: number;
  maxDirectives: number;
}

/**
 * Aliases and directives written in one operation or fragment. Validation (graphql-armor)
 * counts them per operation with its fragments spread in, so a definition over the limit on
 * its own fails there too: refusing it here only saves the work. That work is not small: 200
 * repeated directives made graphql-js raise one error each (a stack trace each) before the
 * limit's own error, 39 ms on the event loop.
 */
class DefinitionCounts {
  aliases = 0;
  directives = 0;
  most = { aliases: 0, directives: 0 };

  startDefinition() {
    this.aliases = 0;
    this.directives = 0;
  }

  alias() {
    this.most.aliases = Math.max(this.most.aliases, ++this.aliases);
  }

  directive() {
    this.most.directives = Math.max(this.most.directives, ++this.directives);
  }

  problem(limits: DocumentLimits): string | null {
    if (this.most.aliases > limits.maxAliases) return `Aliases limit of ${limits.maxAliases} exceeded, found ${this.most.aliases}.`;
    if (this.most.directives > limits.maxDirectives) return `Directives limit of ${limits.maxDirectives} exceeded, found ${this.most.directives}.`;
    return null;
  }
}

/**
 * Reads a GraphQL document token by token (graphql-js's lexer, which does not recurse)
 * for what its recursive parser and PostgreSQL cannot take: nesting past the limits (the
 * parser overflows the stack near 2,400 levels of values or selections) and NUL characters
 * in strings (text and jsonb columns cannot store U+0000), and object fields named
 * `__proto__` (refused in variables too: a JSON object literal would keep one), and more
 * aliases or directives in one definition than allowed (DefinitionCounts). Returns the reason to refuse it,
 * or null. Outside parentheses braces are selection sets; inside them every bracket and
 * brace is a value. Lexical errors are left for the parser to report.
 */
export function documentProblem(query: string, limits: DocumentLimits): string | null {
  const lexer = new Lexer(new Source(query));
  let inArguments = false;
  let depth = 0;
  let selections = 0;
  let previous: TokenKind | null = null;
  const counts = new DefinitionCounts();
  try {
    for (let tokens = 0; tokens <= limits.maxTokens; tokens++) {
      const token = lexer.advance();
      if (selections === 0 && !inArguments && (token.kind === TokenKind.NAME || token.kind === TokenKind.BRACE_L)) counts.startDefinition();
      switch (token.kind) {
        case TokenKind.EOF:
          return counts.problem(limits);
        case TokenKind.AT:
          counts.directive();
          break;
        case TokenKind.COLON:
          // Outside arguments and variable definitions, `name:` is an alias.
          if (!inArguments && selections > 0 && previous === TokenKind.NAME) counts.alias();
          break;
        case TokenKind.PAREN_L:
          inArguments = true;
          break;
        case TokenKind.PAREN_R:
          inArguments = false;
          break;
        case TokenKind.BRACKET_L:
        case TokenKind.BRACE_L:
          if (inArguments) {
            if (++depth > limits.maxValueDepth) return `GraphQL document has values nested deeper than ${limits.maxValueDepth} levels`;
          } else if (++selections > limits.maxSelectionDepth) {
            return `GraphQL document has selections nested deeper than ${limits.maxSelectionDepth} levels`;
          }
          break;
        case TokenKind.BRACKET_R:
        case TokenKind.BRACE_R:
          if (inArguments) depth--;
          else selections--;
          break;
        case TokenKind.NAME:
          if (inArguments && token.value === '__proto__') return 'GraphQL document has a value named __proto__';
          break;
        case TokenKind.STRING:
        case TokenKind.BLOCK_STRING:
          if (token.value.includes('\u0000')) return 'GraphQL document has a string with a NUL character (U+0000)';
          break;
      }
      previous = token.kind;
    }
    return counts.problem(limits);
  } catch (error) {
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}
