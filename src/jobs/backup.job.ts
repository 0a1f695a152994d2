import type { Config } from '../config';
import { BackupService } from '../services/backup.service';
import type { Job } from './job';

export const backupJob = (config: Config): Job => ({
  name: 'backup',
  description: `Writes the assessment export createBackup writes to ${config.backupDir}, then deletes all but the newest ${config.backupKeep} backups there`,
  schedule: config.jobs.schedules.backup,
  run: async ({ em, audit }) => {
    const backups = new BackupService(config.backupDir);
    const knex = em.getKnex();
    const written = await backups.create(knex, audit);
    const pruned = await backups.prune(knex, audit, config.backupKeep);
    return { rowsAffected: written.assessments + written.evidence, details: { ...written, pruned, kept: config.backupKeep } };
  },
});
