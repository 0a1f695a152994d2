/** A CSV field: null and undefined are empty, numbers as JavaScript prints them, text as it is. */
export type CsvValue = string | number | boolean | null | undefined;

/** Fields holding a separator, a quote or a line break must be quoted (RFC 4180, 2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

function field(value: CsvValue): string {
  if (value == null) return '';
  const text = String(value);
  // Quotes inside a quoted field are doubled (RFC 4180, 2.7).
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 text: records end with CRLF, the first is the header. Quoting is the format's one
 * rule, written here rather than taken from a package the installed tree does not hold.
 */
export function csvText(header: string[], records: CsvValue[][]): string {
  return [header, ...records].map((record) => `${record.map(field).join(',')}\r\n`).join('');
}
