/**
 * Every alert rule of the hardened profile (cluster/config/hardened/rules; a unit test keeps the two
 * equal). A mix of faults raises alerts no single-fault drill predicts (a crash during a split makes
 * both replicas' alerts and the server's fire together), so in an explored schedule any of them may
 * fire: only the expected ones are judged.
 */
export const HARDENED_ALERTS = [
  "AppInstanceDown",
  "MariaDBDown",
  "ExporterScrapeFailing",
  "ServerDown",
  "ScrapeTargetDown",
  "HAProxyServerDown",
  "HAProxyRunningOnBackup",
  "HAProxyNoServerAvailable",
  "HighHTTP5xxRate",
  "ReplicationIOThreadStopped",
  "ReplicationSQLThreadStopped",
  "ReplicationSQLError",
  "ReplicationLagHigh",
  "ReplicationNotMonitored",
] as const;
