import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

/** A real graphql-ws client on one subscription: what it received, and how it ended. */
export interface Subscriber<T> {
  events: T[];
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Resolves once `count` events arrived (rejects after `ms`). */
  received(count: number, ms?: number): Promise<T[]>;
  /** Resolves with the close code and reason once the server closed the connection. */
  closed: Promise<Closed>;
  /** Resolves once the server acknowledged the connection. */
  connected: Promise<void>;
  stop(): Promise<void>;
}

/** Polls `done` until it holds; rejects after `ms`, naming what it waited for. */
export const until = async (done: () => boolean | Promise<boolean>, ms: number, what: () => string) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export function subscribe<T, V>(
  httpUrl: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  connectionParams: Record<string, unknown>,
): Subscriber<T> {
  const events: T[] = [];
  const errors: Subscriber<T>['errors'] = [];
  let onClosed!: (closed: Closed) => void;
  let onConnected!: () => void;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    // The close is what the tests look at (on.closed); the client would also print it.
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  client.subscribe<T>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors) errors.push(...(result.errors as Subscriber<T>['errors']));
        if (result.data) events.push(result.data);
      },
      error: (error) => {
        if (Array.isArray(error)) errors.push(...(error as Subscriber<T>['errors']));
      },
      complete: () => undefined,
    },
  );
  return {
    events,
    errors,
    closed,
    connected,
    received: async (count, ms = 10_000) => {
      await until(() => events.length >= count, ms, () => `${count} events (got ${events.length}; errors ${JSON.stringify(errors)})`);
      return events.slice(0, count);
    },
    stop: async () => {
      await client.dispose();
    },
  };
}

/** What a raw graphql-transport-ws connection got for frames it sent: the messages, and the close if the server closed it. */
export interface Exchange {
  messages: { type: string; id?: string; payload?: unknown }[];
  closed: Closed | null;
}

/**
 * Sends `frames` as they are (no client checks them) once the connection is acknowledged,
 * and resolves when every frame was answered with `error` or `complete`, when the server
 * closed the connection, or after `ms` (a subscription that runs answers nothing at first).
 */
export function exchangeFrames(httpUrl: string, connectionParams: Record<string, unknown>, frames: string[], ms = 2000): Promise<Exchange> {
  const exchange: Exchange = { messages: [], closed: null };
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  let closing = false;
  const close = () => {
    closing = true;
    socket.close();
  };
  const deadline = setTimeout(close, ms);
  return new Promise((resolve, reject) => {
    let answered = 0;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Exchange['messages'][number];
      exchange.messages.push(message);
      if (message.type === 'connection_ack') for (const frame of frames) socket.send(frame);
      if ((message.type === 'error' || message.type === 'complete') && ++answered === frames.length) close();
    });
    socket.on('close', (code, reason) => {
      clearTimeout(deadline);
      if (!closing) exchange.closed = { code, reason: reason.toString() };
      resolve(exchange);
    });
    socket.on('error', reject);
  });
}
