import { Type, type Platform } from '@mikro-orm/core';

/**
 * A Date that remembers the microseconds PostgreSQL stored: a JavaScript Date keeps only
 * milliseconds, and a keyset cursor built from one would skip or repeat rows that share
 * a millisecond (rows written by SQL, imports and bulk ingestion carry microseconds).
 */
export class PreciseDate extends Date {
  constructor(
    readonly text: string,
    time: number,
    /** Microseconds since the epoch, exactly as stored. */
    readonly micros: bigint,
  ) {
    super(time);
  }
}

/** Microseconds since the epoch of any Date: exact for a PreciseDate, whole milliseconds otherwise. */
export const microsOf = (date: Date): bigint => (date instanceof PreciseDate ? date.micros : BigInt(date.getTime()) * 1000n);

/**
 * The runtime type MikroORM is told, on the property itself (a Date property's own metadata
 * says 'Date', and MikroORM would then parse the text to milliseconds before this type sees it).
 */
export const PRECISE_RUNTIME_TYPE = 'string';

/** A `timestamptz` as PostgreSQL's text gives it, with its microseconds. */
export function preciseDateOf(text: string, platform: Platform): PreciseDate {
  const date = platform.parseDate(text);
  const fraction = /\.(\d{1,6})/.exec(text)?.[1] ?? '';
  const micros = BigInt(Math.floor(date.getTime() / 1000)) * 1_000_000n + BigInt(fraction.padEnd(6, '0') || '0');
  return new PreciseDate(text, date.getTime(), micros);
}

/** `timestamptz` hydrated as a PreciseDate and written back unchanged. */
export class PreciseTimestampType extends Type<Date, Date | string> {
  convertToJSValue(value: Date | string, platform: Platform): Date {
    return typeof value === 'string' ? preciseDateOf(value, platform) : value;
  }

  convertToDatabaseValue(value: Date | string): Date | string {
    return value instanceof PreciseDate ? value.text : value;
  }

  compareValues(a: Date | string, b: Date | string): boolean {
    if (typeof a === 'string' || typeof b === 'string') return a === b;
    return a.getTime() === b.getTime();
  }

  getColumnType(): string {
    return 'timestamptz';
  }
}
