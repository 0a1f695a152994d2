import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { rowWriter, type Field } from 'pg-copy-streams-binary';

/** One monitoring event as the server stores it (id and server timestamp are the table's defaults). */
export interface EventRow {
  attemptId: string;
  attemptStartedAt: Date;
  studentId: string;
  eventId: string;
  eventType: string;
  severity: 'NORMAL' | 'WARNING' | 'CRITICAL';
  payload: Record<string, unknown>;
  isAnomaly: boolean;
  anomalyScore: number | null;
  description: string | null;
  clientTimestamp: Date;
}

export const COPY_EVENTS = `copy monitoring_events (attempt_id, attempt_started_at, student_id, event_id, event_type, severity, payload,
  is_anomaly, anomaly_score, description, client_timestamp) from stdin with (format binary)`;

// A uuid's binary form is its 16 bytes, which is also what bytea sends.
const uuid = (value: string): Field => ({ type: 'bytea', value: Buffer.from(value.replaceAll('-', ''), 'hex') });

const fields = (e: EventRow): Field[] => [
  uuid(e.attemptId),
  { type: 'timestamptz', value: e.attemptStartedAt },
  uuid(e.studentId),
  { type: 'varchar', value: e.eventId },
  { type: 'varchar', value: e.eventType },
  { type: 'text', value: e.severity },
  { type: 'jsonb', value: e.payload },
  { type: 'bool', value: e.isAnomaly },
  { type: 'float4', value: e.anomalyScore },
  { type: 'text', value: e.description },
  { type: 'timestamptz', value: e.clientTimestamp },
];

/** Streams `rows` into monitoring_events by one binary COPY on `client`. */
export async function copyEvents(client: ClientBase, rows: Iterable<EventRow> | AsyncIterable<EventRow>): Promise<void> {
  await pipeline(Readable.from(rows, { objectMode: true }).map(fields), rowWriter(), client.query(copyFrom(COPY_EVENTS)));
}

/** `rows` in the binary COPY format, header and trailer included, as one buffer. */
export async function encodeEvents(rows: EventRow[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(rows, { objectMode: true }).map(fields), rowWriter(), new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk), done()) }));
  return Buffer.concat(chunks);
}

/** Sends a ready binary COPY buffer. */
export async function copyEncoded(client: ClientBase, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), client.query(copyFrom(COPY_EVENTS)));
}
