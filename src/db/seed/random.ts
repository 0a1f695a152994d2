import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded generator (pure-rand's xoroshiro128+): the same seed gives the same demo data on every machine. */
export class DemoRandom {
  private readonly rng;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** From `min` to `max`, both included. */
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  /** In [min, max). */
  float(min = 0, max = 1): number {
    return min + uniformFloat64(this.rng) * (max - min);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** `n` distinct items, in random order (a partial Fisher-Yates shuffle). */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    for (let i = 0; i < n; i++) {
      const j = this.int(i, pool.length - 1);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, n);
  }

  /** A version-4 UUID made of generator bits. */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => this.int(0, 0xffffffff).toString(16).padStart(8, '0')).join('');
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
