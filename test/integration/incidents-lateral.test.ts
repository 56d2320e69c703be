// The lateral story on the real stack: after a short learning window, a container reaches a peer
// it never talked to (new_peer), then someone runs a shell in that peer. One incident spans both
// containers, tells the lateral_exec story and is a step more severe than its worst alert.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../alerts/incident.ts';
import { SEVERITIES } from '../../findings/index.ts';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('the lateral story on the real stack', () => {
  const network = uniqueName('lat-net');
  const [web, db] = ['web', 'db'].map((n) => uniqueName(`lat-${n}`)) as [string, string];
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-lateral-'));
  let agent: AgentProcess;
  let dbIp = '';

  beforeAll(async () => {
    writeFileSync(path.join(stateDir, 'shipwatch.yaml'), 'learn: 4s\n');
    agent = await startAgent(['--config', path.join(stateDir, 'shipwatch.yaml'), '--state-dir', stateDir]);
    await docker('network', 'create', network);
    await Promise.all([
      runContainer(web, ['--network', network, '--label', 'shipwatch.workload=lat/web']),
      runContainer(db, ['--network', network, '--label', 'shipwatch.workload=lat/db']),
    ]);
    dbIp = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, db);
    // Both workloads learn nothing for 4 s, then monitor: any peer is new.
    await waitFor(
      async () => {
        const list = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as {
          name: string;
          state: string;
        }[];
        return [web, db].every((n) => list.find((c) => c.name === n)?.state === 'monitoring');
      },
      { timeout: 30_000, interval: 500, what: 'both workloads monitoring' },
    );
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(web, db);
    await removeNetworks(network);
  });

  it('makes one incident of a new peer and the shell run in it, a step more severe', async () => {
    await docker('exec', web, 'sh', '-c', `echo x | nc -w 1 ${dbIp} 5432; true`);
    await waitFor(
      async () => {
        const { alerts } = (await (await fetch(`${agent.baseUrl}/api/alerts?rule=new_peer`)).json()) as {
          alerts: unknown[];
        };
        return alerts.length > 0;
      },
      { timeout: 15_000, interval: 300, what: 'new_peer' },
    );
    await docker('exec', db, 'sh', '-c', 'id');
    const incident = await waitFor(
      async () => {
        const { incidents } = (await (await fetch(`${agent.baseUrl}/api/incidents?container=${db}`)).json()) as {
          incidents: Incident[];
        };
        return incidents.find((i) => i.story?.id === 'lateral_exec') ?? null;
      },
      { timeout: 15_000, interval: 500, what: 'the lateral incident' },
    );
    expect(incident.containers.map((c) => c.name).sort()).toEqual([db, web].sort());
    const rules = incident.alerts.map((a) => `${a.rule}@${a.containerName}`);
    expect(rules.indexOf(`new_peer@${web}`)).toBeLessThan(rules.indexOf(`interactive_exec@${db}`));
    const worst = Math.max(...incident.alerts.map((a) => SEVERITIES.indexOf(a.severity)));
    expect(SEVERITIES.indexOf(incident.severity)).toBe(Math.min(worst + 1, SEVERITIES.length - 1));
  });
});
