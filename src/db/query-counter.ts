import { AsyncLocalStorage } from 'node:async_hooks';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';

/** Per-request SQL statement counter, carried through async calls of the request. */
export interface QueryCount {
  statements: number;
}

const store = new AsyncLocalStorage<QueryCount>();

export const withQueryCount = <T>(count: QueryCount, fn: () => T): T => store.run(count, fn);

/** For a statement shared by several requests: run it outside any of them, and let each call countStatement(). */
export const outsideRequestCount = <T>(fn: () => T): T => store.exit(fn);

export function countStatement(): void {
  const count = store.getStore();
  if (count) count.statements += 1;
}

/** MikroORM calls logQuery for every statement, even with debug off; we count there. */
export class CountingLogger extends DefaultLogger {
  override logQuery(context: { query: string } & LogContext): void {
    countStatement();
    super.logQuery(context);
  }
}

export const countingLoggerFactory = (options: LoggerOptions) => new CountingLogger(options);
