// AlertPipeline.reconfigure (SIGHUP): rule settings apply to the next finding; sinks are kept,
// reopened, added or stopped by name and settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertPipeline } from '../../../alerts/alert-pipeline.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import { validateConfig } from '../../../agent/config.ts';
import { createLogger } from '../../../core/logger.ts';
import { egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
const pipelines: AlertPipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.close(0)));
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function setup() {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-reload-'));
  dirs.push(stateDir);
  const config = (extra: Record<string, unknown>) =>
    validateConfig({ host: 'h', state_dir: stateDir, ...extra }, 'test');
  const metrics = new Metrics();
  const pipeline = new AlertPipeline({ config: config({}), metrics, log: createLogger('silent', false) });
  pipelines.push(pipeline);
  const depth = async (sink: string) =>
    (await metrics.sinkQueueDepth.get()).values.find((v) => v.labels.sink === sink)?.value;
  return { pipeline, config, depth };
}

// Port 9 (discard) on loopback: nothing is delivered while the test runs, and nothing leaves the host.
const HOOK_A = { url: 'http://127.0.0.1:9/a' };
const HOOK_B = { url: 'http://127.0.0.1:9/b' };

describe('AlertPipeline.reconfigure', () => {
  it('applies a disabled rule from the next finding on', async () => {
    const { pipeline, config } = setup();
    expect(pipeline.raise(egressFinding())).not.toBeNull();
    await pipeline.reconfigure(config({ rules: { unexpected_egress: { enabled: false } } }));
    expect(pipeline.raise(egressFinding(5555))).toBeNull();
  });

  it('keeps an unchanged sink, reopens a changed one, adds and stops by name', async () => {
    const { pipeline, config } = setup();
    let result = await pipeline.reconfigure(config({ webhooks: [HOOK_A] }));
    expect(result.added).toHaveLength(1);
    const [first] = pipeline.sinks;

    result = await pipeline.reconfigure(config({ webhooks: [HOOK_A] }));
    expect(result).toEqual({ added: [], removed: [], changed: [] });
    expect(pipeline.sinks[0]).toBe(first);

    result = await pipeline.reconfigure(config({ webhooks: [{ ...HOOK_A, secret: 's3cret' }, HOOK_B] }));
    expect(result.changed).toEqual([first?.transport.name]);
    expect(result.added).toHaveLength(1);
    expect(pipeline.sinks).toHaveLength(2);
    expect(pipeline.sinks[0]).not.toBe(first);

    result = await pipeline.reconfigure(config({ webhooks: [HOOK_B] }));
    expect(result.removed).toEqual([first?.transport.name]);
    expect(pipeline.sinks).toHaveLength(1);
    expect(pipeline.sinks[0]?.transport.name).not.toBe(first?.transport.name);
  });

  it('hands an alert raised while a sink is reopened to the reopened sink', async () => {
    const { pipeline, config, depth } = setup();
    await pipeline.reconfigure(config({ webhooks: [HOOK_A] }));
    const name = pipeline.sinks[0]?.transport.name ?? '';
    const reloading = pipeline.reconfigure(config({ webhooks: [{ ...HOOK_A, secret: 'rotated' }] }));
    pipeline.raise(egressFinding());
    await reloading;
    expect(pipeline.sinks[0]?.transport.name).toBe(name);
    expect(await depth(name)).toBe(1);
  });
});
