// Helpers for the integration and end-to-end tests of the other projects: real
// processes, simulated compute hosts and the real zun client.
export { deleteRedisKeys } from './redis-keys';
export { repoRoot } from './repo-root';
export { requireEnv, uniqueName } from './require-env';
export { tmpDir, type TmpDir } from './tmp-dir';
export { freePort } from './free-port';
export { startRedis, type TestRedis, type TestRedisOptions } from './redis-server';
export { startMariadb, type TestMariadb } from './mariadb-server';
export { childPids, descendantPids } from './process-tree';
export { sleep, waitFor, type WaitForOptions } from './wait-for';
export { mergeZunConf, privateNetworkConf, stackConfSection, TEST_AUTH_ENCRYPTION_KEY, writeZunConf, type ZunConfSections } from './zun-conf';
export {
  ensureBuilt,
  isProcessAlive,
  startService,
  type ServiceExit,
  type ServiceHandle,
  type ServiceReadiness,
  type StartServiceOptions,
} from './service-process';
export { simDocker, simPings, simSh } from './sim-exec';
export { parseSimHostLines, simHostConf, simHostsStatus, startSimHosts, stopSimHosts, type SimHost, type SimHostConf, type SimHostsOptions } from './sim-hosts';
export { openrcEnv, parseOpenrc, parseShow, parseTable, runZun, type CliResult } from './zun-cli';
export { ensureGlance, type TestGlance } from './glance';
export { examplePluginDir } from './example-plugin';
export { formatFindings, logFiles, scanFiles, scanText, type KnownSecret, type SecretFinding } from './log-secrets';
export { metricValue, parsePrometheusText, scrapeMetrics, labelSets, type MetricSample } from './prometheus-text';
