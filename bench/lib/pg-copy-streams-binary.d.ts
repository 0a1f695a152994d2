// The package ships no types; only what the benchmarks use.
declare module 'pg-copy-streams-binary' {
  import type { Transform } from 'node:stream';

  export interface Field {
    type: 'bool' | 'bytea' | 'int2' | 'int4' | 'int8' | 'text' | 'varchar' | 'json' | 'jsonb' | 'float4' | 'float8' | 'timestamptz';
    value: unknown;
  }
  /** An object-mode stream of rows (arrays of fields) in, PostgreSQL's binary COPY format out. */
  export function rowWriter(options?: { COPY_sendHeader?: boolean; COPY_sendTrailer?: boolean }): Transform;
}
