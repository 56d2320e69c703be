// SIGHUP reloads the configuration of a running agent: a new suppression silences a finding and
// shows in GET /api/suppressions, a disabled rule stops alerting; an invalid file keeps the
// running configuration and says why in the log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';
import { freePort, WebhookReceiver } from '../support/webhook-receiver.ts';

const alertsOf = (agent: AgentProcess, rule: string, container: string) =>
  agent.logs.filter(
    (l) =>
      l.msg === 'alert' && l.rule === rule && (l.container as { name?: string } | null | undefined)?.name === container,
  );

describe('configuration reload on SIGHUP', () => {
  const quiet = uniqueName('hup-a');
  const loud = uniqueName('hup-b');
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-reload-'));
  const file = path.join(dir, 'shipwatch.yaml');
  let agent: AgentProcess;
  let receiver: WebhookReceiver;

  const suppressions = async () =>
    (await (await fetch(`${agent.baseUrl}/api/suppressions`)).json()) as { workload: string; rule: string }[];

  const hangUp = async (yaml: string, logLine: string) => {
    writeFileSync(file, yaml);
    const before = agent.logs.filter((l) => l.msg === logLine || String(l.msg).startsWith(logLine)).length;
    agent.child.kill('SIGHUP');
    return waitFor(() => agent.logs.filter((l) => l.msg === logLine || String(l.msg).startsWith(logLine))[before], {
      what: `"${logLine}" after SIGHUP`,
    });
  };

  beforeAll(async () => {
    receiver = new WebhookReceiver(await freePort(), 'reload-secret-for-tests');
    await receiver.start();
    writeFileSync(file, 'learn: 0\n');
    agent = await startAgent(['--config', file]);
    await runContainer(quiet, ['--label', `shipwatch.workload=swt/${quiet}`]);
  });

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await removeContainers(quiet, loud);
  });

  it('alerts on docker exec before the reload', async () => {
    await docker('exec', quiet, 'true');
    await waitFor(() => alertsOf(agent, 'interactive_exec', quiet)[0], { what: 'an interactive_exec alert' });
    expect(await suppressions()).toEqual([]);
  });

  it('applies a new suppression, a disabled rule and a new webhook without a restart', async () => {
    const reloaded = await hangUp(
      [
        'learn: 0',
        'rules:',
        '  risky_container_config: { enabled: false }',
        'suppressions:',
        `  - { workload: swt/${quiet}, rule: interactive_exec, reason: reload test }`,
        'webhooks:',
        `  - { url: "${receiver.url}", secret: reload-secret-for-tests }`,
        'stats_interval: 7s', // restart-only: named in the log, not applied
      ].join('\n'),
      'configuration reloaded',
    );
    expect(reloaded.changed).toEqual(['rules', 'suppressions', 'webhooks']);
    await waitFor(() => agent.logs.find((l) => l.msg === 'not applied until a restart: stats_interval'), {
      what: 'the restart-only key named in the log',
    });
    expect(await suppressions()).toMatchObject([{ workload: `swt/${quiet}`, rule: 'interactive_exec', suppressed: 0 }]);

    await docker('exec', quiet, 'echo', 'after');
    await waitFor(() => agent.logs.find((l) => l.msg === 'finding suppressed'), { what: 'a suppressed finding' });
    expect(alertsOf(agent, 'interactive_exec', quiet)).toHaveLength(1);
    expect((await suppressions())[0]).toMatchObject({ suppressed: 1 });

    // SYS_ADMIN would raise risky_container_config at start; the exec alert after it shows the
    // start was processed, and the disabled rule said nothing.
    await runContainer(loud, ['--cap-add', 'SYS_ADMIN', '--label', `shipwatch.workload=swt/${loud}`]);
    await docker('exec', loud, 'true');
    await waitFor(() => alertsOf(agent, 'interactive_exec', loud)[0], {
      what: 'an exec alert for the second container',
    });
    expect(alertsOf(agent, 'risky_container_config', loud)).toEqual([]);
    // The webhook added by the reload receives the alert raised after it.
    const delivered = await waitFor(
      () => receiver.accepted.find((r) => r.body.includes('"interactive_exec"') && r.body.includes(loud)),
      { what: 'the alert at the webhook added by the reload' },
    );
    expect(delivered.signatureValid).toBe(true);
  });

  it('keeps the running configuration when the new file is invalid, and logs why', async () => {
    const refused = await hangUp('learn: often\nsuppressions: []\n', 'configuration not reloaded');
    expect(String(refused.reason)).toContain('learn: expected a duration');
    expect(await suppressions()).toMatchObject([{ workload: `swt/${quiet}`, rule: 'interactive_exec' }]);
    const health = await fetch(`${agent.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
