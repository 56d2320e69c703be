import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import {
  docker,
  DOCKER_HOST,
  INTERNET_HOST,
  removeContainers,
  removeNetworks,
  runContainer,
  uniqueName,
} from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/shipwatch.js');
const TOKEN = 'responder-token-0123456789';

interface NetworkView {
  Aliases: string[] | null;
  IPAddress: string;
  MacAddress: string;
  NetworkID: string;
}

async function networksOf(container: string): Promise<Record<string, NetworkView>> {
  return JSON.parse(await docker('inspect', '--format', '{{json .NetworkSettings.Networks}}', container)) as Record<
    string,
    NetworkView
  >;
}

/** True when the command inside the container succeeds. Bounded: one ping / one connection. */
async function succeeds(container: string, ...command: string[]): Promise<boolean> {
  try {
    await docker('exec', container, ...command);
    return true;
  } catch {
    return false;
  }
}

const pingDb = (c: string) => succeeds(c, 'ping', '-c', '1', '-W', '1', 'db');
const pingIp = (c: string, ip: string) => succeeds(c, 'ping', '-c', '1', '-W', '1', ip);
const reachInternet = (c: string) => succeeds(c, 'sh', '-c', `echo x | nc -w 1 ${INTERNET_HOST} 80`);

describe('isolate and release', () => {
  const front = uniqueName('front');
  const back = uniqueName('back');
  const api = uniqueName('api');
  const db = uniqueName('db');
  const worker = uniqueName('worker');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-response-'));
  const tokenFile = path.join(stateDir, 'tokens');
  let agent: AgentProcess;
  let before: Record<string, NetworkView>;

  function cli(...args: string[]) {
    const listen = agent.baseUrl.replace('http://', '');
    return spawnSync(process.execPath, [BIN, ...args, '--listen', listen, '--token-file', tokenFile], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, DOCKER_HOST },
    });
  }

  beforeAll(async () => {
    writeFileSync(tokenFile, `alice:${TOKEN}\n`);
    await docker('network', 'create', front);
    await docker('network', 'create', back);
    await runContainer(db, ['--network', back, '--network-alias', 'db']);
    await runContainer(worker, ['--network', back]);
    await docker(
      'create',
      '--pull=never',
      '--name',
      api,
      '--network',
      front,
      '--network-alias',
      'api',
      'shipwatch-test/busybox:latest',
      'sleep',
      '600',
    );
    await docker('network', 'connect', '--alias', 'api-backend', back, api);
    await docker('start', api);
    agent = await startAgent(['--token-file', tokenFile, '--state-dir', stateDir]);
    before = await networksOf(api);
  });

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(api, db, worker);
    await removeNetworks(front, back);
  });

  it('starts with api reaching db and the test internet host', async () => {
    expect(await pingDb(api)).toBe(true);
    expect(await reachInternet(api)).toBe(true);
  });

  it('refuses isolation with a bad token (401) and changes nothing', async () => {
    const response = await fetch(`${agent.baseUrl}/api/containers/${api}/isolate`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(await networksOf(api)).toEqual(before);
  });

  it('answers 404 with a clear message for an unknown container', async () => {
    const response = await fetch(`${agent.baseUrl}/api/containers/no-such-container-xyz/isolate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'no-such-container-xyz',
    );
  });

  it('cuts api off from db and the internet within 2 s, keeps it running, leaves db reachable for others', async () => {
    const result = cli('isolate', api, '--reason', 'test: suspected exfiltration');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`isolated ${api}`);
    // By address, not name: a failing DNS lookup would hide whether the path itself is cut.
    const dbIp = (await networksOf(db))[back]?.IPAddress ?? '';
    const cutAt = Date.now();
    const [dbReached, internetReached] = await Promise.all([pingIp(api, dbIp), reachInternet(api)]);
    expect(dbReached).toBe(false);
    expect(internetReached).toBe(false);
    expect(Date.now() - cutAt).toBeLessThan(2000);
    expect((await docker('inspect', '--format', '{{.State.Running}}', api)).trim()).toBe('true');
    expect(Object.keys(await networksOf(api))).toEqual(['shipwatch-quarantine']);
    expect(await pingDb(worker)).toBe(true);
  });

  it('shows the audit of the isolation, with the token name and reason', () => {
    const audit = agent.logs.find((l) => l.msg === 'alert' && l.rule === 'container_isolated') as
      { summary: string; details: { action: { actor: string } } } | undefined;
    expect(audit?.details.action.actor).toContain('alice');
    expect(audit?.summary).toContain('alice');
    expect(audit?.summary).toContain('suspected exfiltration');
  });

  it('keeps the isolation across an agent restart and still releases it exactly', async () => {
    await agent.stop();
    agent = await startAgent(['--token-file', tokenFile, '--state-dir', stateDir]);
    const result = cli('release', api);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    await waitFor(async () => (await pingDb(api)) && (await reachInternet(api)), {
      timeout: 5000,
      what: 'api to be back',
    });
    const after = await networksOf(api);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [name, network] of Object.entries(before)) {
      expect(after[name]?.IPAddress, name).toBe(network.IPAddress);
      expect(after[name]?.MacAddress, name).toBe(network.MacAddress);
      expect([...(after[name]?.Aliases ?? [])].sort(), name).toEqual([...(network.Aliases ?? [])].sort());
    }
  });

  it('explains why a host-network container cannot be isolated', async () => {
    const hostNet = uniqueName('hostnet');
    await runContainer(hostNet, ['--network', 'host']);
    try {
      const result = cli('isolate', hostNet);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('cannot be disconnected');
    } finally {
      await removeContainers(hostNet);
    }
  });
});
