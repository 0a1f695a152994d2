import { createSourceEventStream, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { MessageType } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Context } from '../context';
import type { Delivery } from '../services/live/abortable';
import type { SharedExecute } from './delivery-sharing';

/**
 * Unsent bytes a connection may hold before its subscriptions wait for the socket to take
 * them: under it a payload is written without waiting, over it the stream waits for its
 * frame to be flushed, so a stalled client falls behind the log (and is closed by its lag)
 * instead of growing a buffer.
 */
export const MAX_UNSENT_BYTES = 64 * 1024;

/** Where one subscription's payloads go: its id on its connection's socket. */
export interface Outlet {
  id: string;
  socket: WebSocket;
}

/**
 * A subscription's `subscribe` that writes each delivery's `next` frame to the socket itself.
 * graphql-ws would run, for every delivery to every subscriber, its own loop, hook, message
 * check, serialization and a wait for the write: the same result for the connections of one
 * principal is serialized once here (`serialized`), and a frame costs a string and a write.
 * graphql-ws keeps the rest of the protocol: it starts the subscription, ends it when the
 * client completes or the connection closes (`return`), and sends `complete` or `error` when
 * the stream ends, after every frame written here.
 */
export function deliverDirectly(options: {
  execute: SharedExecute;
  outletOf: (context: Context) => Outlet | undefined;
  serialized: (result: ExecutionResult) => string;
}) {
  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const outlet = options.outletOf(args.contextValue as Context);
    if (!outlet) throw new Error('A subscription started without its outlet');
    const iterator = source[Symbol.asyncIterator]();
    const request = `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
    const prefix = `{"id":${JSON.stringify(outlet.id)},"type":"${MessageType.Next}","payload":`;
    const run = async (): Promise<IteratorResult<ExecutionResult>> => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return { done: true, value: undefined };
        const delivery = next.value as Delivery<unknown, Context>;
        const result = await options.execute(request, { ...args, rootValue: delivery.payload, contextValue: delivery.context });
        const flushed = write(outlet.socket, `${prefix}${options.serialized(result)}}`);
        if (flushed) await flushed;
      }
    };
    let running: Promise<IteratorResult<ExecutionResult>> | null = null;
    const stream: AsyncGenerator<ExecutionResult> = {
      // graphql-ws asks once; the answer comes when the source ends, every frame written by then.
      next: () => (running ??= run()),
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      throw: async (error) => {
        await iterator.return?.();
        throw error;
      },
      [Symbol.asyncIterator]: () => stream,
    };
    return stream;
  };
}

/** Writes a frame; waits for it to be flushed only when the connection already holds MAX_UNSENT_BYTES. */
function write(socket: WebSocket, frame: string): Promise<void> | undefined {
  if (socket.readyState !== socket.OPEN) return undefined;
  if (socket.bufferedAmount < MAX_UNSENT_BYTES) {
    socket.send(frame);
    return undefined;
  }
  return new Promise((resolve) => socket.send(frame, () => resolve()));
}
