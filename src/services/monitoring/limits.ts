/** What one ingestion call may carry, and when a batch flags its attempt. */
export interface MonitoringLimits {
  maxBatch: number;
  maxPayloadBytes: number;
  /** A batch with more new anomalies than this flags the attempt (WARNING). */
  anomalyFlagThreshold: number;
  /** Client timestamps further ahead of the server's clock than this are refused. */
  maxClockSkewSeconds: number;
  /** Months of partitions kept created ahead of the current one. */
  partitionsAhead: number;
  /** Days events are kept (by whole month partitions) before they are archived and dropped. */
  retentionDays: number;
  /** Where archives of dropped partitions are written; never chosen by a caller. */
  archiveDir: string;
}
