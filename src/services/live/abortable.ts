/** What a subscription's source yields: the payload, and the context to resolve it in. */
export interface Delivery<T, C> {
  payload: T;
  context: C;
}

/**
 * An async generator that can be ended while it waits. Ending a plain generator that sits
 * in an `await` only takes effect at its next `yield`, so a subscription with nothing to
 * deliver would never end: here `return()` first aborts the signal the body waits on.
 */
export function abortable<T>(body: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const inner = body(controller.signal);
  const stream: AsyncGenerator<T> = {
    next: () => inner.next(),
    return: async (value) => {
      controller.abort();
      return inner.return(value);
    },
    throw: async (error) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
