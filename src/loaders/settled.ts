import DataLoader from 'dataloader';
import type { Batching } from './batching';

/** DataLoader's cache, noting each value as it arrives. */
class NotingCache<K, V> implements DataLoader.CacheMap<K, Promise<V>> {
  private readonly promises = new Map<K, Promise<V>>();

  constructor(private readonly values: Map<K, V>) {}

  get(key: K) {
    return this.promises.get(key);
  }

  set(key: K, promise: Promise<V>) {
    this.promises.set(key, promise);
    promise.then(
      (value) => this.values.set(key, value),
      () => undefined,
    );
  }

  delete(key: K) {
    this.promises.delete(key);
    this.values.delete(key);
  }

  clear() {
    this.promises.clear();
    this.values.clear();
  }
}

/**
 * A DataLoader that can also say what it already holds. DataLoader answers every `load`
 * with a new promise, even for a value that arrived long ago; row rules run for every row
 * (and, through shield, every field) and answer synchronously when the value is here, so
 * the row's fields skip shield (permissions/direct-fields.ts) instead of each awaiting it.
 */
export class SettlingLoader<K, V> extends DataLoader<K, V, K> {
  private readonly values: Map<K, V>;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, batching: Batching) {
    const values = new Map<K, V>();
    super(batch, { ...batching, cacheMap: new NotingCache<K, V>(values) });
    this.values = values;
  }

  /** The value for `key` now if it has arrived (primed ones included), else the promise of it. */
  now(key: K): V | Promise<V> {
    return this.values.has(key) ? this.values.get(key)! : this.load(key);
  }
}

/** `then` for a value that may already be here: no promise when it is. */
export const whenReady = <T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> =>
  value instanceof Promise ? value.then(next) : next(value);
