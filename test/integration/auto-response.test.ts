// Automatic response on the real daemon: with `response.auto: {drift_executable: isolate}`,
// executing a dropped binary gets the container isolated within 2 s; with dry_run, only the
// audit alert says what would have happened.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const networksOf = async (name: string) =>
  Object.keys(JSON.parse(await docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', name)) as object);

describe('automatic response to drift_executable', () => {
  let agent: AgentProcess | undefined;
  const cleanup: { containers: string[]; networks: string[] } = { containers: [], networks: [] };

  afterEach(async () => {
    await agent?.stop();
    await removeContainers(...cleanup.containers);
    await removeNetworks(...cleanup.networks);
  });

  async function setUp(dryRun: boolean): Promise<string> {
    const net = uniqueName('auto-net');
    const name = uniqueName('auto');
    cleanup.containers.push(name);
    cleanup.networks.push(net);
    await docker('network', 'create', net);
    await runContainer(name, ['--network', net]);
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-auto-'));
    const config = path.join(dir, 'shipwatch.yaml');
    writeFileSync(config, `learn: 0\nresponse:\n  auto: { drift_executable: isolate }\n  dry_run: ${dryRun}\n`);
    agent = await startAgent(['--config', config, '--state-dir', dir]);
    await waitFor(() => agent?.logs.some((l) => l.msg === 'docker connected'), { what: 'docker connected' });
    await docker('exec', name, 'cp', '/bin/busybox', '/tmp/sleep');
    return name;
  }

  it('isolates the container within 2 s of the dropped binary running', async () => {
    const name = await setUp(false);
    const ranAt = Date.now();
    await docker('exec', name, '/tmp/sleep', '1');
    await waitFor(async () => (await networksOf(name)).join() === 'shipwatch-quarantine', {
      timeout: 2000 - (Date.now() - ranAt - 1000), // the exec itself lasts 1 s
      interval: 100,
      what: `${name} on the quarantine network only`,
    });
    const audit = agent?.logs.find((l) => l.msg === 'alert' && l.rule === 'container_isolated') as
      { details: { action: { actor: string; alertId: string } } } | undefined;
    expect(audit?.details.action.actor).toBe('policy');
    expect(audit?.details.action.alertId).toBeTruthy();
    await docker('network', 'disconnect', '-f', 'shipwatch-quarantine', name);
  });

  it('only reports what it would do in dry-run mode', async () => {
    const name = await setUp(true);
    await docker('exec', name, '/tmp/sleep', '1');
    const audit = await waitFor(
      () =>
        agent?.logs.find((l) => l.msg === 'alert' && l.rule === 'container_isolated') as
          { summary: string; details: { action: { dryRun: boolean } } } | undefined,
      { timeout: 3000, what: 'the dry-run audit alert' },
    );
    expect(audit.details.action.dryRun).toBe(true);
    expect(audit.summary).toContain('would have been isolated');
    expect(await networksOf(name)).not.toContain('shipwatch-quarantine');
  });
});
