import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditAction } from '../../entities/audit-action';
import { noteWrite } from '../../db/table-versions';
import { appendAudit, type AuditSource } from '../audit.service';
import { fileDigest } from '../file-digest';

const PARTITION = /^monitoring_events_p(\d{4})(\d{2})$/;
const BATCH = 5000;

export interface RetentionOptions {
  retentionDays: number;
  archiveDir: string;
  /** Also drop the archived partitions (prune), not only archive them. */
  drop: boolean;
  dryRun: boolean;
  source: AuditSource;
  now?: Date;
}

export interface ArchiveManifest {
  kind: 'assay.monitoring-archive';
  version: 1;
  partition: string;
  /** The months of attempt starts the partition held: [from, to). */
  from: string;
  to: string;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  archivedAt: string;
}

export interface PartitionOutcome {
  partition: string;
  from: string;
  to: string;
  rows: number;
  action: 'archived' | 'already archived' | 'dropped' | 'would archive' | 'would drop';
  file?: string;
}

/** Partitions whose whole month ended more than `retentionDays` before `now`, oldest first. */
export async function expiredPartitions(em: EntityManager, retentionDays: number, now: Date) {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const rows = await em.execute<{ name: string }[]>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'monitoring_events'::regclass order by c.relname`,
  );
  return rows
    .map(({ name }) => {
      const match = PARTITION.exec(name);
      if (!match) return null;
      const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
      return { name, from, to: new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)) };
    })
    .filter((p): p is { name: string; from: Date; to: Date } => p !== null && p.to.getTime() <= cutoff);
}

const manifestPath = (archiveDir: string, partition: string) => path.join(archiveDir, `${partition}.jsonl.gz.manifest.json`);

async function readManifest(archiveDir: string, partition: string): Promise<ArchiveManifest | null> {
  try {
    return JSON.parse(await readFile(manifestPath(archiveDir, partition), 'utf8')) as ArchiveManifest;
  } catch {
    return null;
  }
}

const rowCount = async (em: EntityManager, partition: string) =>
  Number((await em.execute<{ n: string }[]>(`select count(*) as n from ${partition}`))[0].n);

/**
 * Writes the partition's rows as gzip JSON Lines in primary-key order, a batch at a time,
 * with a manifest (rows, bytes, SHA-256 of the file); both appear only when complete.
 */
async function archive(em: EntityManager, partition: { name: string; from: Date; to: Date }, archiveDir: string, source: AuditSource): Promise<ArchiveManifest> {
  await mkdir(archiveDir, { recursive: true });
  const file = path.join(archiveDir, `${partition.name}.jsonl.gz`);
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  async function* lines() {
    let after: [string, string] | null = null;
    for (;;) {
      const batch: { line: string; attempt_id: string; event_id: string }[] = await em.execute(
        `select row_to_json(m)::text as line, m.attempt_id, m.event_id from ${partition.name} m
          ${after ? 'where (m.attempt_id, m.event_id) > (?::uuid, ?)' : ''} order by m.attempt_id, m.event_id limit ?`,
        [...(after ?? []), BATCH],
      );
      if (batch.length === 0) return;
      rows += batch.length;
      yield `${batch.map((r) => r.line).join('\n')}\n`;
      const last = batch[batch.length - 1];
      after = [last.attempt_id, last.event_id];
    }
  }
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(lines()), createGzip(), tap, createWriteStream(`${file}.partial`));
  const manifest: ArchiveManifest = {
    kind: 'assay.monitoring-archive',
    version: 1,
    partition: partition.name,
    from: partition.from.toISOString(),
    to: partition.to.toISOString(),
    file: path.basename(file),
    rows,
    bytes,
    sha256: hash.digest('hex'),
    archivedAt: new Date().toISOString(),
  };
  await rename(`${file}.partial`, file);
  await writeFile(`${manifestPath(archiveDir, partition.name)}.partial`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath(archiveDir, partition.name)}.partial`, manifestPath(archiveDir, partition.name));
  await em.transactional((tx) =>
    appendAudit(tx, source, { action: AuditAction.MONITORING_ARCHIVED, resourceType: 'MonitoringPartition', resourceId: partition.name, details: { ...manifest } }),
  );
  return manifest;
}

/**
 * Drops the partition only if its archive still matches it: the file's digest is the
 * manifest's and the partition (locked against new events) holds exactly the archived rows.
 * Detach, drop and the audit entry are one transaction; a mismatch drops nothing.
 */
async function drop(em: EntityManager, manifest: ArchiveManifest, archiveDir: string, source: AuditSource): Promise<boolean> {
  if ((await fileDigest(path.join(archiveDir, manifest.file))).sha256 !== manifest.sha256) return false;
  return em.transactional(async (tx) => {
    await tx.execute(`lock table ${manifest.partition} in access exclusive mode`);
    if ((await rowCount(tx, manifest.partition)) !== manifest.rows) return false;
    await tx.execute(`alter table monitoring_events detach partition ${manifest.partition}`);
    await tx.execute(`drop table ${manifest.partition}`);
    await noteWrite(tx, 'monitoring_events');
    await appendAudit(tx, source, {
      action: AuditAction.MONITORING_PRUNED,
      resourceType: 'MonitoringPartition',
      resourceId: manifest.partition,
      details: { rows: manifest.rows, archive: manifest.file, sha256: manifest.sha256 },
    });
    return true;
  });
}

/**
 * Events go by whole partitions, never by a row-by-row DELETE: each expired month is
 * archived (unless a matching archive exists) and, with `drop`, detached and dropped.
 */
export async function applyMonitoringRetention(em: EntityManager, options: RetentionOptions): Promise<PartitionOutcome[]> {
  const outcomes: PartitionOutcome[] = [];
  for (const partition of await expiredPartitions(em, options.retentionDays, options.now ?? new Date())) {
    const rows = await rowCount(em, partition.name);
    const base = { partition: partition.name, from: partition.from.toISOString(), to: partition.to.toISOString(), rows };
    if (options.dryRun) {
      outcomes.push({ ...base, action: options.drop ? 'would drop' : 'would archive' });
      continue;
    }
    let manifest = await readManifest(options.archiveDir, partition.name);
    const current = manifest?.rows === rows;
    if (!manifest || !current) manifest = await archive(em, partition, options.archiveDir, options.source);
    if (options.drop && (await drop(em, manifest, options.archiveDir, options.source))) {
      outcomes.push({ ...base, rows: manifest.rows, action: 'dropped', file: manifest.file });
    } else {
      outcomes.push({ ...base, rows: manifest.rows, action: current ? 'already archived' : 'archived', file: manifest.file });
    }
  }
  return outcomes;
}
