import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/embedded';

/**
 * A start after a crash finds postmaster.pid. It may name the PostgreSQL the crashed process
 * left running (stop it), or, after a reboot, any unrelated process (leave it alone).
 */
// Below Linux's ephemeral range, where outgoing connections of other tests cannot take it.
const port = 29_000 + Math.floor(Math.random() * 1000);
let dataDir: string;
let decoy: ChildProcess;
let marker: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'assay-orphan-'));
  marker = path.join(dataDir, 'decoy-signalled');
  // Stays alive and leaves a mark if anyone sends it SIGINT.
  decoy = spawn(process.execPath, ['-e', `process.on('SIGINT', () => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')); setInterval(() => {}, 1000)`], {
    stdio: 'ignore',
  });
  await (await startEmbeddedPostgres(dataDir, port)).stop();
}, 120_000);
afterAll(async () => {
  decoy?.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

const answers = async (url: string) => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('select 1 as one')).rows[0].one;
  } finally {
    await client.end();
  }
};

describe('starting the embedded PostgreSQL over a stale postmaster.pid', () => {
  it('does not signal an unrelated process whose pid the file names, and starts', async () => {
    const pgDir = path.join(dataDir, 'pg');
    await writeFile(path.join(pgDir, 'postmaster.pid'), `${decoy.pid}\n${pgDir}\n${Math.floor(Date.now() / 1000)}\n${port}\n`);
    const pg = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(await answers(pg.url)).toBe(1);
      expect(existsSync(marker), 'the decoy got SIGINT').toBe(false);
      expect(decoy.exitCode).toBeNull();
    } finally {
      await pg.stop();
    }
  });

  it('stops a PostgreSQL still running on the same data folder, and starts', async () => {
    // Left running as a crashed process would leave it (its handle is dropped, never stopped).
    await startEmbeddedPostgres(dataDir, port);
    const pg = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(await answers(pg.url)).toBe(1);
    } finally {
      await pg.stop();
    }
  });
});
