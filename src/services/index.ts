import type { Config } from '../config';
import { LoginLimiter, type LimiterStore } from '../auth/login-limiter';
import { TokenService } from '../auth/tokens';
import type { AccessRegistry } from '../auth/access-registry';
import { Authenticator } from '../auth/authenticate';
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
import { AssessmentStatsService } from './analytics/assessment-stats.service';
import { AttemptStatsService } from './analytics/attempt-stats.service';
import { MonitoringStatsService } from './analytics/monitoring-stats.service';
import type { FlagFeed } from './flags/flag-feed';
import { WebhookService } from './webhooks/webhook.service';

/** Long-lived services shared by every request (stateless but for the live feed); the EntityManager comes per call. */
export function createServices(config: Config, jwtSecret: string, limiterStore: LimiterStore, live: FlagFeed, access: AccessRegistry) {
  const tokens = new TokenService({ ...config.jwt, secret: jwtSecret });
  const limiter = new LoginLimiter(limiterStore, config.loginLimits);
  return {
    config,
    tokens,
    authenticator: new Authenticator(tokens, access),
    /** Credentials and teachers' exam rights this instance remembers, forgotten on notification. */
    access,
    /** This instance's reader of the flag log and its wake-ups (subscriptions). */
    live,
    auth: new AuthService(tokens, limiter),
    users: new UserService(limiter),
    apiKeys: new ApiKeyService(),
    quests: new QuestService(),
    questConsistency: new QuestConsistencyService(),
    assessments: new AssessmentService(),
    assessmentStats: new AssessmentStatsService(config.stats),
    attemptStats: new AttemptStatsService(config.stats),
    monitoringStats: new MonitoringStatsService(config.stats),
    backups: new BackupService(config.backupDir),
    ...createExamServices(),
    monitoringIngest: new MonitoringIngestService(config.monitoring, live),
    monitoringRead: new MonitoringReadService(),
    behaviorAnalyses: new BehaviorAnalysisService(live),
    flags: new FlagReadService(),
    analyticsSummaries: new AnalyticsSummaryService(),
    webhooks: new WebhookService({ allowPrivateUrls: config.webhooks.allowPrivateUrls }),
  };
}

export type Services = ReturnType<typeof createServices>;
