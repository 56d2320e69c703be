// How long AlertPipeline.raise() takes per new alert, end to end up to the sink queues: build,
// journal write + fsync, metrics, log line, stream, one durable webhook queue append + fsync.
// The receiver is unreachable (port 9 on loopback), so deliveries only retry in the background.
//
// Run: node --import tsx bench/alert-raise.ts [count]   (default 500; bounded on purpose)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantile } from 'simple-statistics';
import { AlertPipeline } from '../alerts/alert-pipeline.ts';
import { Metrics } from '../alerts/metrics.ts';
import { validateConfig } from '../agent/config.ts';
import { createLogger } from '../core/logger.ts';
import { egressFinding } from '../test/support/findings.ts';

const count = Math.min(Number(process.argv[2] ?? 500), 5000);
const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-bench-'));
const config = validateConfig(
  { state_dir: stateDir, webhooks: [{ url: 'http://127.0.0.1:9/hook' }], log_level: 'silent' },
  'bench',
);
const pipeline = new AlertPipeline({ config, metrics: new Metrics(), log: createLogger('silent', false) });
const times: number[] = [];
for (let i = 0; i < count; i++) {
  const finding = egressFinding(1 + (i % 60_000));
  finding.key = `bench-${i}`;
  const start = performance.now();
  pipeline.raise(finding);
  times.push(performance.now() - start);
}
await pipeline.close(0);
rmSync(stateDir, { recursive: true, force: true });
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
process.stdout.write(
  `raise() of ${count} new alerts (journal + 1 webhook queue, both fsync'd): ` +
    `median ${fmt(quantile(times, 0.5))}, p99 ${fmt(quantile(times, 0.99))}, max ${fmt(Math.max(...times))}\n`,
);
