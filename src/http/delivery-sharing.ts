import { execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Viewer } from '../auth/viewer';
import type { Context } from '../context';

/**
 * What the connections of one principal hold in common while they are delivered to: one
 * flag wakes every subscriber in the same turn of the event loop, and a teacher may have
 * dozens of dashboards open. The connections of a principal share a delivery context, and
 * all contexts of a turn share one set of loaders, so the rows a payload shows are read once
 * a turn and every teacher's access to the flags' exams is checked in one statement, not
 * once per connection; sharing executions runs a document once per payload, variables and
 * context.
 */

/** Who the rights of a delivery are: equal keys, equal rights (the role, an API key's scopes, the cohorts taught). */
export function principalKey(viewer: Viewer): string {
  const scopes = viewer.scopes ? [...viewer.scopes].sort().join(' ') : '*';
  return [viewer.via, viewer.user.id, viewer.user.role, viewer.apiKeyId ?? '', scopes, viewer.cohortsTaught.join(',')].join('\n');
}

/** What `make` gives the current turn of the event loop: made on first use, forgotten when the turn ends. */
function perTurn<T>(make: () => T): () => T {
  let turn: T | null = null;
  return () => {
    if (turn === null) {
      const current = (turn = make());
      setImmediate(() => {
        if (turn === current) turn = null;
      });
    }
    return turn;
  };
}

/**
 * `compute` once per key in the current turn of the event loop: a credential presented by
 * many connections (one user's dashboards) is authenticated once per flag, not per connection.
 */
export function oncePerTurn<V>(compute: (key: string) => V): (key: string) => V {
  const known = perTurn(() => new Map<string, V>());
  return (key) => {
    const values = known();
    let value = values.get(key);
    if (value === undefined) values.set(key, (value = compute(key)));
    return value;
  };
}

/**
 * A context per principal for the current turn of the event loop, made by `make` on first
 * use, over what `makeShared` gives the whole turn (`from` is whatever else `make` needs:
 * the first connection's address for the log). Deliveries of a later turn (a later flag)
 * get fresh contexts and loaders, so nothing is answered from an earlier state of the
 * database. Only what rights do not change is shared between principals: loaders of rows,
 * and of rights keyed by viewer; row verdicts and rows known visible stay per context.
 */
export function contextsPerTurn<A, S>(makeShared: () => S, make: (viewer: Viewer, from: A, shared: S) => Context): (viewer: Viewer, from: A) => Context {
  const current = perTurn(() => ({ shared: makeShared(), contexts: new Map<string, Context>() }));
  return (viewer, from) => {
    const turn = current();
    const key = principalKey(viewer);
    let context = turn.contexts.get(key);
    if (!context) turn.contexts.set(key, (context = make(viewer, from, turn.shared)));
    return context;
  };
}

/** Executes a document over a payload; subscriptions that ask the same (`request`: operation and variables) in one context share the result. */
export type SharedExecute = (request: string, args: ExecutionArgs) => Promise<ExecutionResult>;

/**
 * graphql-js's execute, once per (context, payload, document, request): the connections that
 * share a delivery context and ask the same thing (`request`: operation and variables) of the
 * same payload get the same result, which is only read (serialized) afterwards.
 */
export function sharedExecutions(): SharedExecute {
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;
  const results = new WeakMap<object, WeakMap<object, Map<string, Promise<ExecutionResult>>>>();
  return async (request, args) => {
    const { contextValue, rootValue, document } = args;
    if (typeof contextValue !== 'object' || contextValue === null || typeof rootValue !== 'object' || rootValue === null) return execute(args);
    let documentId = documentIds.get(document);
    if (documentId === undefined) documentIds.set(document, (documentId = ++documents));
    const key = `${documentId}\n${request}`;
    let byPayload = results.get(contextValue);
    if (!byPayload) results.set(contextValue, (byPayload = new WeakMap()));
    let byRequest = byPayload.get(rootValue);
    if (!byRequest) byPayload.set(rootValue, (byRequest = new Map<string, Promise<ExecutionResult>>()));
    let result = byRequest.get(key);
    if (!result) byRequest.set(key, (result = Promise.resolve(execute(args))));
    return result;
  };
}
