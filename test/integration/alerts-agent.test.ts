// The alert side wired into the real agent (`shipwatch run` against the private dockerd): the
// journal lives in the state dir, /api/alerts answers, and /api/stream carries inventory updates
// when a container starts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('alerts in the running agent', () => {
  const name = uniqueName('alerts');
  let agent: AgentProcess;
  let ws: WebSocket | undefined;

  beforeAll(async () => {
    agent = await startAgent();
  });

  afterAll(async () => {
    ws?.terminate();
    await agent?.stop();
    await removeContainers(name);
  });

  it('keeps its alert journal in the state directory', () => {
    expect(existsSync(path.join(agent.stateDir, 'alerts', 'journal.jsonl'))).toBe(true);
  });

  it('answers GET /api/alerts with the journalled alerts', async () => {
    // The test daemon runs without user namespaces: the detectors raise insecure_daemon_config at start.
    const body = await waitFor(
      async () => {
        const response = await fetch(`${agent.baseUrl}/api/alerts?limit=1000`);
        expect(response.status).toBe(200);
        const json = (await response.json()) as { alerts: { id: string; rule: string }[] };
        return json.alerts.some((a) => a.rule === 'insecure_daemon_config') ? json : null;
      },
      { what: 'the daemon posture alert in /api/alerts' },
    );
    const journalled = readFileSync(path.join(agent.stateDir, 'alerts', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(body.alerts.map((a) => a.id).sort()).toEqual([...new Set(journalled)].sort());
  });

  it('streams an inventory update when a container starts', async () => {
    const messages: { type: string; event?: { kind: string; container?: { name: string } } }[] = [];
    ws = new WebSocket(`${agent.baseUrl.replace('http', 'ws')}/api/stream`);
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]));
    await new Promise((resolve, reject) => ws?.once('open', resolve).once('error', reject));
    await runContainer(name);
    const started = await waitFor(
      () =>
        messages.find(
          (m) => m.type === 'inventory' && m.event?.kind === 'container.started' && m.event.container?.name === name,
        ),
      { timeout: 15_000, what: 'the container.started inventory update' },
    );
    expect(started.type).toBe('inventory');
  });
});
