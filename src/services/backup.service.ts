import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import type { AuditSource } from './audit.service';
import { exportAssessments } from './transfer/export';

export interface BackupResult {
  fileName: string;
  assessments: number;
  evidence: number;
  sha256: string;
  bytes: number;
  createdAt: Date;
}

/** Full exports into the configured folder. Callers name nothing: the folder is configuration, the name is made here. */
export class BackupService {
  constructor(private readonly dir: string) {}

  async create(knex: Knex, audit: AuditSource): Promise<BackupResult> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const createdAt = new Date();
    const fileName = `assessments-${createdAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.jsonl`;
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
}
