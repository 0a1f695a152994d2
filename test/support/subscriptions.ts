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
