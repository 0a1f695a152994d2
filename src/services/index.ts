import type { Config } from '../config';
import { LoginLimiter, type LimiterStore } from '../auth/login-limiter';
import { TokenService } from '../auth/tokens';
import { ApiKeyService } from './api-key.service';
import { AuthService } from './auth.service';
import { QuestConsistencyService } from './quest-consistency/quest-consistency.service';
import { QuestService } from './quest.service';
import { AssessmentService } from './assessment.service';
import { BackupService } from './backup.service';
import { createExamServices } from './exams';
import { UserService } from './user.service';
import { MonitoringIngestService } from './monitoring/ingest.service';
import { MonitoringReadService } from './monitoring/read.service';
import { BehaviorAnalysisService } from './monitoring/analysis.service';
import { FlagReadService } from './flags/flag-read.service';
import { AnalyticsSummaryService } from './analytics/summaries.service';

/** Long-lived, stateless services shared by every request; the EntityManager comes per call. */
export function createServices(config: Config, jwtSecret: string, limiterStore: LimiterStore) {
  const tokens = new TokenService({ ...config.jwt, secret: jwtSecret });
  const limiter = new LoginLimiter(limiterStore, config.loginLimits);
  return {
    config,
    tokens,
    auth: new AuthService(tokens, limiter),
    users: new UserService(limiter),
    apiKeys: new ApiKeyService(),
    quests: new QuestService(),
    questConsistency: new QuestConsistencyService(),
    assessments: new AssessmentService(),
    backups: new BackupService(config.backupDir),
    ...createExamServices(),
    monitoringIngest: new MonitoringIngestService(config.monitoring),
    monitoringRead: new MonitoringReadService(),
    behaviorAnalyses: new BehaviorAnalysisService(),
    flags: new FlagReadService(),
    analyticsSummaries: new AnalyticsSummaryService(),
  };
}

export type Services = ReturnType<typeof createServices>;
