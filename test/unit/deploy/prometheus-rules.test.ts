// deploy/prometheus/shipwatch-rules.yml, proven by Prometheus's own rule tester (Debian's
// prometheus package ships promtool): each rule fires on its input series and stays quiet on its
// benign twin (deploy/prometheus/shipwatch-rules.test.yml).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../alerts/metrics.ts';

const DIR = path.resolve(import.meta.dirname, '../../../deploy/prometheus');
const run = promisify(execFile);

describe('the Prometheus alerting rules', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', path.join(DIR, 'shipwatch-rules.yml')]);
    expect(stdout).toContain('SUCCESS: 8 rules found');
  });

  it('raise the expected alerts on the test series (promtool test rules)', async () => {
    const result = await run('promtool', ['test', 'rules', 'shipwatch-rules.test.yml'], { cwd: DIR }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
  });

  it('use only metrics the agent exports', async () => {
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = [...readFileSync(path.join(DIR, 'shipwatch-rules.yml'), 'utf8').matchAll(/\b(shipwatch_\w+)/g)].map(
      (m) => m[1] ?? '',
    );
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });
});
