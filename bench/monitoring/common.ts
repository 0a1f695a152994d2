import { seededRng, intBelow } from '../../src/db/seed/prng';
import type { EventRow } from './copy';

/** The monitoring benchmark's own database: the exam benchmark's rows plus 10 million events. */
export const MONITORING_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_monitoring';
export const EVENTS_PER_ATTEMPT = Number(process.env.BENCH_EVENTS_PER_ATTEMPT ?? 100);

const TYPES = ['eye_movement', 'window_focus', 'keystroke', 'face_detection', 'mouse_movement'];

export interface AttemptRef {
  id: string;
  startedAt: Date;
  studentId: string;
}

/**
 * `count` events of one attempt, one every 2 s from its start, drawn from `seed`: about one
 * in 60 an anomaly (a WARNING), and with `critical` one CRITICAL event in the middle.
 */
export function* attemptEvents(attempt: AttemptRef, count: number, seed: number, critical: boolean, idPrefix = 'e'): Generator<EventRow> {
  const rng = seededRng(seed);
  for (let i = 0; i < count; i++) {
    const anomaly = intBelow(rng, 60) === 0;
    yield {
      attemptId: attempt.id,
      attemptStartedAt: attempt.startedAt,
      studentId: attempt.studentId,
      eventId: `${idPrefix}-${i}`,
      eventType: TYPES[intBelow(rng, TYPES.length)],
      severity: critical && i === count >> 1 ? 'CRITICAL' : anomaly ? 'WARNING' : 'NORMAL',
      payload: { seq: i, x: intBelow(rng, 1920), y: intBelow(rng, 1080), confidence: Math.round(rng() * 100) / 100 },
      isAnomaly: anomaly,
      anomalyScore: anomaly ? 0.5 + rng() / 2 : null,
      description: anomaly ? 'Gaze or focus outside the usual pattern' : null,
      clientTimestamp: new Date(attempt.startedAt.getTime() + i * 2000),
    };
  }
}
