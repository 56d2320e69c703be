// Isolating a container must not make its peers look like they reach out: a peer that looks up the
// isolated container's name asks Docker's embedded DNS, which no longer knows the name and forwards
// the lookup to the daemon's upstream (the test DNS, 203.0.113.53) from inside the peer's network
// namespace. That flow is the peer's DNS through its configured path: no unexpected_egress.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../collector/events.ts';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const UPSTREAM_DNS = '203.0.113.53';
const TOKEN = 'responder-token-0123456789';
const LEARN_S = 6;

describe('a peer looking up an isolated container', () => {
  const net = uniqueName('isodns');
  const peer = uniqueName('isodns-peer');
  const target = uniqueName('isodns-target');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-isodns-'));
  let agent: AgentProcess;

  const lookup = async (): Promise<void> => {
    // busybox nslookup asks 127.0.0.11 (the embedded DNS); a name it cannot answer fails, which is fine.
    await docker('exec', peer, 'nslookup', target).catch(() => undefined);
  };

  beforeAll(async () => {
    await docker('network', 'create', net);
    await runContainer(peer, ['--network', net, '--label', 'shipwatch.workload=isodns/peer']);
    await runContainer(target, ['--network', net, '--label', 'shipwatch.workload=isodns/target']);
    const tokenFile = path.join(stateDir, 'tokens');
    writeFileSync(tokenFile, `alice:${TOKEN}\n`);
    const config = path.join(stateDir, 'shipwatch.yaml');
    writeFileSync(config, `learn: ${LEARN_S}s\ndns_resolvers: ["${UPSTREAM_DNS}"]\n`);
    agent = await startAgent(['--config', config, '--state-dir', stateDir, '--token-file', tokenFile]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(peer, target);
    await removeNetworks(net);
  });

  it('judges the forwarded lookup as the peer’s DNS, not as new egress', async () => {
    // While learning the peer resolves its neighbour locally: nothing is forwarded.
    for (let i = 0; i < 3; i++) await lookup();
    await waitFor(
      async () => {
        const list = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as {
          name: string;
          state: string;
        }[];
        return list.find((c) => c.name === peer)?.state === 'monitoring';
      },
      { timeout: (LEARN_S + 20) * 1000, interval: 500, what: 'the peer to be monitored' },
    );
    const isolated = await fetch(`${agent.baseUrl}/api/containers/${target}/isolate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'test: isolate, then a peer looks it up' }),
    });
    expect(isolated.status).toBe(200);
    const after = Date.now();
    const forwarded = async (): Promise<FlowRecord | undefined> => {
      const { flows } = (await (await fetch(`${agent.baseUrl}/api/flows`)).json()) as { flows: FlowRecord[] };
      return flows.find((f) => f.src.container?.name === peer && f.dst.ip === UPSTREAM_DNS && f.dst.port === 53);
    };
    // Bounded: at most 10 lookups, one a second, until the forwarded one is on the bridge.
    const seen = await waitFor(
      async () => {
        await lookup();
        return forwarded();
      },
      { timeout: 15_000, interval: 1000, what: "the peer's lookup forwarded to the upstream from its namespace" },
    );
    expect(seen.src.container?.name).toBe(peer);
    // Give the pipeline time to have raised what it would raise (alerts come within a second).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const egress = agent.logs.filter(
      (l) =>
        l.msg === 'alert' &&
        l.rule === 'unexpected_egress' &&
        (l as { container?: { name?: string } }).container?.name === peer &&
        Date.parse(String(l.lastSeen)) >= after - 1000,
    );
    expect(egress).toEqual([]);
  }, 90_000);
});
