import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { auditQuestsCommand } from './audit-quests';
import { registerAssessmentCommands } from './assessment-commands';
import { registerBackupCommands } from './backup';
import { migrateCommand, seedCommand } from './database';
import { doctorCommand } from './doctor';
import { registerGovernanceCommands } from './governance';
import { registerMetricsCommands } from './metrics';
import { registerMonitoringCommands } from './monitoring';
import { schemaCommand } from './schema';
import { serve } from './serve';
import { commandConfig, configured } from './with-database';

const program = new Command('assay')
  .description('Assay: a GraphQL API over PostgreSQL for education assessment and integrity data')
  .showHelpAfterError()
  .exitOverride();

program.command('serve').description('start the server (embedded PostgreSQL unless DATABASE_URL is set)').action(() => serve(commandConfig({ signsTokens: true })));
program.command('migrate').description('apply pending migrations to DATABASE_URL').action(configured(migrateCommand));
program.command('seed').description('load the demo data into the empty database at DATABASE_URL').action(configured(seedCommand));
program.command('doctor').description('check what a deployment needs: configuration, JWT_SECRET, database, migrations, Redis').action(doctorCommand);
registerGovernanceCommands(program);
program.command('audit').description('check stored data for drift and repair it').addCommand(auditQuestsCommand());
program.command('schema').description('write the GraphQL schema to schema.graphql').action(schemaCommand);
registerAssessmentCommands(program);
registerMonitoringCommands(program);
registerMetricsCommands(program);
registerBackupCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`assay: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
