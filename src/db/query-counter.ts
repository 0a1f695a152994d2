import { AsyncLocalStorage } from 'node:async_hooks';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';

/** Per-request SQL statement counter, carried through async calls of the request. */
export interface QueryCount {
  statements: number;
  /** The text of each statement counted, kept only while someone needs it (the response cache's read set). */
  texts?: string[];
}

const store = new AsyncLocalStorage<QueryCount>();

export const withQueryCount = <T>(count: QueryCount, fn: () => T): T => store.run(count, fn);

/** For a statement shared by several requests: run it outside any of them, and let each call countStatement(). */
export const outsideRequestCount = <T>(fn: () => T): T => store.exit(fn);

export function countStatement(sql: string): void {
  const count = store.getStore();
  if (!count) return;
  count.statements += 1;
  count.texts?.push(sql);
}

/** MikroORM calls logQuery for every statement, even with debug off; we count there. */
export class CountingLogger extends DefaultLogger {
  override logQuery(context: { query: string } & LogContext): void {
    countStatement(context.query);
    super.logQuery(context);
  }
}

export const countingLoggerFactory = (options: LoggerOptions) => new CountingLogger(options);
