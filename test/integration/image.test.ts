// The shipwatch image, built from the repository's Dockerfile (on local base images: no registry
// is reachable) and run on the private daemon with exactly deploy/compose.yaml's capabilities,
// namespaces and mounts — never privileged — must see what a container does: an egress to the
// test "internet", a process it runs and a file it writes, and report itself healthy.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_IMAGE, buildAgentImage, composeRunOptions, composeService } from '../support/agent-image.ts';
import {
  docker,
  INTERNET_HOST,
  removeContainers,
  removeNetworks,
  runContainer,
  uniqueName,
} from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

interface Alert {
  rule: string;
  container: { name: string } | null;
  details: {
    flow?: { dst: { ip: string; port: number } };
    process?: { pid: number; exe: string | null; cmdline: string | null };
    file?: { path: string; op: string };
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('the shipwatch image', () => {
  const agent = uniqueName('img-agent');
  const app = uniqueName('img-app');
  const network = uniqueName('img-net');
  const stateVolume = uniqueName('img-state');
  const marker = `/etc/shipwatch-image-test-${app}`;
  let baseUrl = '';

  const alerts = async (): Promise<Alert[]> =>
    ((await (await fetch(`${baseUrl}/api/alerts?limit=1000`)).json()) as { alerts: Alert[] }).alerts;
  const appAlert = (rule: string, match: (a: Alert) => boolean) =>
    waitFor(async () => (await alerts()).find((a) => a.rule === rule && a.container?.name === app && match(a)), {
      timeout: 15_000,
      interval: 250,
      what: `${rule} on ${app}`,
    }).catch(async (error: Error) => {
      const seen = (await alerts()).map((a) => `${a.rule} ${a.container?.name} ${JSON.stringify(a.details)}`);
      throw new Error(`${error.message}; alerts: ${seen.join(' | ')}`);
    });

  beforeAll(async () => {
    await buildAgentImage();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await docker('network', 'create', network);
    await runContainer(app, ['--network', network, '--label', 'shipwatch.workload=imgtest/app']);
    // A directory only its owner (uid 1000) may read: watching it takes DAC_READ_SEARCH. Made
    // before the agent starts, so the first shell the agent sees in app is the test's.
    await docker('exec', app, 'sh', '-c', 'mkdir -p /etc/private && chown 1000 /etc/private && chmod 700 /etc/private');
    // learn 0: policy only, so the first egress, process and file write are already outside it.
    const env = { SHIPWATCH_LISTEN: `127.0.0.1:${port}`, SHIPWATCH_LEARN: '0', SHIPWATCH_HOST: 'image-test' };
    await docker('run', '-d', '--pull=never', '--name', agent, ...composeRunOptions(stateVolume, env), AGENT_IMAGE);
    await waitFor(
      async () => {
        const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as { sources: Record<string, unknown> };
        const containers = (await (await fetch(`${baseUrl}/api/containers`)).json()) as { name: string }[];
        return 'processes' in health.sources && containers.some((c) => c.name === app);
      },
      { timeout: 30_000, interval: 250, what: `the agent in ${agent} to serve and know ${app}` },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nagent log:\n${await docker('logs', '--tail', '30', agent).catch(() => '')}`);
    });
  }, 330_000);

  afterAll(async () => {
    await removeContainers(agent, app);
    await removeNetworks(network);
    await docker('volume', 'rm', stateVolume).catch(() => '');
  });

  it('runs with the documented capabilities, namespaces and mounts only, never privileged', async () => {
    const host = JSON.parse(await docker('inspect', '-f', '{{json .HostConfig}}', agent)) as {
      Privileged: boolean;
      CapAdd: string[];
      CapDrop: string[];
      NetworkMode: string;
      PidMode: string;
    };
    expect(host.Privileged).toBe(false);
    // The daemon records capabilities by their kernel names.
    expect(host.CapAdd.map((c) => c.replace(/^CAP_/, '')).sort()).toEqual([...(composeService().cap_add ?? [])].sort());
    expect(host.CapDrop).toEqual(['ALL']);
    expect([host.NetworkMode, host.PidMode]).toEqual(['host', 'host']);
  });

  it('ships no compiler or package manager in the runtime stage', async () => {
    const found = await docker(
      'run',
      '--rm',
      '--pull=never',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      AGENT_IMAGE,
      '-c',
      'for c in gcc g++ cc make python3 npm apt-get; do command -v $c; done; true',
    );
    expect(found).toBe('');
  });

  it('reports every source up: capture, proc connector, overlay files and cgroup stats', async () => {
    const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as {
      sources: Record<string, { state: string; detail: string | null }>;
    };
    const bridges = Object.keys(health.sources).filter((s) => s.startsWith('capture:'));
    expect(bridges.length).toBeGreaterThan(0);
    for (const source of ['docker', 'processes', 'files', 'stats', ...bridges]) {
      expect(`${source}: ${health.sources[source]?.state}`).toBe(`${source}: up`);
    }
    expect(health.sources.processes?.detail).toBe('proc connector');
    expect(health.sources.stats?.detail).toMatch(/^cgroup/);
  });

  it('serves the live page and its map library, with nothing fetched from elsewhere', async () => {
    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/web/vendor/d3.min.js');
    const d3 = await fetch(`${baseUrl}/web/vendor/d3.min.js`);
    expect(d3.status).toBe(200);
    expect(await d3.text()).toContain('version:"3.5');
  });

  it('sees an egress, an exec and a file change of a container', async () => {
    await docker('exec', app, 'sh', '-c', `echo x > ${marker}; echo hi | nc -w 2 ${INTERNET_HOST} 4444; true`);
    const egress = await appAlert('unexpected_egress', (a) => a.details.flow?.dst.ip === INTERNET_HOST);
    expect(egress.details.flow?.dst.port).toBe(4444);
    // The shell `docker exec` started or the nc it ran (whichever the rule reports first), from
    // the proc connector: a pid, and the exe read from /proc/<pid> of a process that is not the
    // agent's (SYS_PTRACE: without it no exe is known and the rule cannot match).
    const ours = (a: Alert) => /^nc -w 2 |shipwatch-image-test/.test(a.details.process?.cmdline ?? '');
    const exec = await appAlert('suspicious_process', (a) => ours(a) && (a.details.process?.pid ?? 0) > 0);
    expect(exec.details.process?.exe).toBe('/bin/busybox');
    // From inotify on the container's overlay upper directory, through the read-only data root.
    await appAlert('sensitive_file_change', (a) => a.details.file?.path === marker);
  });

  it('sees a file written in a directory only another user may read (DAC_READ_SEARCH)', async () => {
    await docker('exec', '-u', '1000', app, 'sh', '-c', 'echo y > /etc/private/key');
    await appAlert('sensitive_file_change', (a) => a.details.file?.path === '/etc/private/key');
  });

  it("is healthy by the image's own HEALTHCHECK on /healthz", async () => {
    // The HEALTHCHECK's first probe runs one interval (15 s) after the start.
    const status = await waitFor(
      async () => {
        const state = await docker('inspect', '-f', '{{.State.Health.Status}}', agent);
        return state === 'healthy' ? state : undefined;
      },
      { timeout: 40_000, interval: 500, what: `${agent} to be healthy` },
    );
    expect(status).toBe('healthy');
  }, 45_000);
});
