import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import { AuditAction } from '../entities/audit-action';
import { AppError } from '../errors';
import { appendAuditOnKnex, type AuditSource } from './audit.service';
import { exportAssessments } from './transfer/export';
import { manifestPathOf, readManifest, type ExportManifest } from './transfer/manifest';

export interface BackupResult {
  fileName: string;
  assessments: number;
  evidence: number;
  sha256: string;
  bytes: number;
  createdAt: Date;
}

export interface StoredBackup {
  fileName: string;
  path: string;
  /** When it was taken, from its name (the manifest may be missing). */
  createdAt: Date;
  bytes: number;
  manifest: ExportManifest | null;
  /** Why a manifest that is there could not be read. */
  manifestProblem?: string;
}

/** `assessments-2026-12-06T02-30-00-123Z-1a2b3c.jsonl`: only files named so are this folder's backups. */
const BACKUP_NAME = /^assessments-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[0-9a-f]{6}\.jsonl$/;

const nameFor = (createdAt: Date) => `assessments-${createdAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.jsonl`;

function timeOf(fileName: string): Date | null {
  const match = BACKUP_NAME.exec(fileName);
  return match ? new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`) : null;
}

/** Full exports into the configured folder. Callers name nothing: the folder is configuration, the name is made here. */
export class BackupService {
  constructor(private readonly dir: string) {}

  async create(knex: Knex, audit: AuditSource): Promise<BackupResult> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const createdAt = new Date();
    const fileName = nameFor(createdAt);
    const result = await exportAssessments(knex, { output: path.join(this.dir, fileName), audit, purpose: 'backup' });
    return {
      fileName,
      assessments: result.counts.assessments,
      evidence: result.counts.evidence,
      sha256: result.sha256,
      bytes: result.bytes,
      createdAt,
    };
  }

  /** The backups in the folder, newest first; other files there are not listed. */
  async list(): Promise<StoredBackup[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const backups = await Promise.all(
      names
        .map((fileName) => ({ fileName, createdAt: timeOf(fileName) }))
        .filter((b): b is { fileName: string; createdAt: Date } => b.createdAt !== null)
        .map(async ({ fileName, createdAt }) => {
          const file = path.join(this.dir, fileName);
          const { size } = await stat(file);
          const stored: StoredBackup = { fileName, path: file, createdAt, bytes: size, manifest: null };
          try {
            stored.manifest = await readManifest(file);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            stored.manifestProblem = error.message;
          }
          return stored;
        }),
    );
    return backups.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.fileName.localeCompare(a.fileName));
  }

  /**
   * Deletes all but the newest `keep` backups, each with its manifest, and records what went
   * in one RETENTION_PURGE audit entry. Only files named as backups are touched.
   */
  async prune(knex: Knex, audit: AuditSource, keep: number): Promise<string[]> {
    const expired = (await this.list()).slice(keep);
    if (expired.length === 0) return [];
    const deleted: string[] = [];
    try {
      for (const backup of expired) {
        // Manifest first: cut short here, what is left still has a backup's name and goes next time.
        await rm(manifestPathOf(backup.path), { force: true });
        await rm(backup.path, { force: true });
        deleted.push(backup.fileName);
      }
    } finally {
      // Recorded even when a later delete failed: these files are gone either way.
      if (deleted.length > 0) {
        await knex.transaction((trx) =>
          appendAuditOnKnex(trx, audit, {
            action: AuditAction.RETENTION_PURGE,
            resourceType: 'Backup',
            details: { deleted: deleted.length, files: deleted, kept: keep },
          }),
        );
      }
    }
    return deleted;
  }
}
