const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  depth: number;
  /** Most arrays, objects and items in them (counted by their brackets and separators). */
  values: number;
}

/**
 * Which limit JSON text goes past, read byte by byte without parsing it, so a hostile body
 * costs one pass that stops at the limit. JSON.parse and every walk after it (variable
 * coercion, the response cache's key) would otherwise pay for the whole depth, or overflow
 * the stack, and for every value: a list of 100,000 ids took 26 ms of JSON.parse alone,
 * which every other request on the event loop waits for. Brackets and commas inside strings
 * do not count; malformed JSON is left for the parser to refuse. UTF-8 continuation bytes
 * never equal these ASCII bytes.
 */
export function jsonShapeProblem(json: Uint8Array, limits: JsonShapeLimits): keyof JsonShapeLimits | null {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === COMMA) {
      if (++values > limits.values) return 'values';
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.depth) return 'depth';
      if (++values > limits.values) return 'values';
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return null;
}
