import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config';

/** `npm run test:faults`: servers and PostgreSQL killed for real, one file at a time (each starts servers of its own). */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: configDefaults.exclude,
    fileParallelism: false,
    testTimeout: 180_000,
  },
});
