/**
 * mulberry32: a tiny seeded generator, so demo and bench data come out the same on every
 * run (Math.random is not seedable). Not for anything secret (tokens and salts use node:crypto).
 */
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const intBelow = (rng: Rng, n: number) => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[intBelow(rng, items.length)];

/** The same generator with integer and choice helpers bound to it. */
export function seededRandom(seed: number) {
  const next = seededRng(seed);
  return {
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + intBelow(next, max - min + 1),
    pick: <T>(items: readonly T[]) => pick(next, items),
  };
}

/** A version-4 UUID drawn from the generator, so generated rows keep the same ids run after run. */
export function uuidFrom(rng: Rng): string {
  const bytes = Array.from({ length: 16 }, () => intBelow(rng, 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
