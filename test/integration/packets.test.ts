// Live capture against the private dockerd: real bridges, real containers, real libpcap. The
// agent runs in-process (the real Agent with a real config) so the test can see every event the
// capture puts on the bus, and reads /api/flows and /metrics over HTTP like a user would.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../agent/config.ts';
import { createLogger } from '../../core/logger.ts';
import { Agent } from '../../agent/agent.ts';
import type { FlowRecord, ShipwatchEvent } from '../../collector/events.ts';
import {
  docker,
  INTERNET_HOST,
  DOCKER_HOST,
  removeContainers,
  removeNetworks,
  runContainer,
  uniqueName,
} from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);

describe('packet capture on the Docker bridges', () => {
  const netA = uniqueName('pk-a');
  const netB = uniqueName('pk-b');
  const netLate = uniqueName('pk-late');
  const server = uniqueName('pk-server');
  const client = uniqueName('pk-client');
  const remote = uniqueName('pk-remote');
  const lateBox = uniqueName('pk-late-box');
  const ruleComment = uniqueName('pk-rule');
  let ruleInserted = false;
  let agent: Agent;
  let baseUrl: string;
  const events: ShipwatchEvent[] = [];
  const arrivals = new Map<ShipwatchEvent, number>();

  const flowStarts = (match: (f: FlowRecord) => boolean) =>
    events.filter(
      (e): e is Extract<ShipwatchEvent, { kind: 'flow.start' }> => e.kind === 'flow.start' && match(e.flow),
    );
  const ipOf = async (container: string, network: string) =>
    docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container);
  const apiFlows = async () => ((await (await fetch(`${baseUrl}/api/flows`)).json()) as { flows: FlowRecord[] }).flows;
  const metrics = async () => (await fetch(`${baseUrl}/metrics`)).text();

  beforeAll(async () => {
    await docker('network', 'create', netA);
    await docker('network', 'create', netB);
    await runContainer(
      server,
      ['--network', netA, '--label', 'shipwatch.workload=pk-server'],
      ['nc', '-ll', '-p', '8080', '-e', 'cat'],
    );
    await runContainer(client, ['--network', netA, '--label', 'shipwatch.workload=pk-client']);
    await runContainer(
      remote,
      ['--network', netB, '--label', 'shipwatch.workload=pk-remote'],
      ['nc', '-ll', '-p', '9000', '-e', 'cat'],
    );
    const config = validateConfig(
      {
        docker_host: DOCKER_HOST,
        listen: '127.0.0.1:0',
        state_dir: mkdtempSync(path.join(tmpdir(), 'sw-pk-')),
        host: 'test-host',
        log_level: 'warn',
      },
      'test',
    );
    agent = new Agent(config, createLogger('warn', false));
    agent.bus.subscribe((event) => {
      events.push(event);
      arrivals.set(event, Date.now());
    });
    const address = await agent.start();
    baseUrl = `http://${address.host}:${address.port}`;
    const bridge = `br-${(await docker('network', 'inspect', '-f', '{{.Id}}', netA)).slice(0, 12)}`;
    await waitFor(() => agent.health.get(`capture:${bridge}`)?.state === 'up', {
      timeout: 15_000,
      what: `capture on ${bridge}`,
    });
  });

  afterAll(async () => {
    if (ruleInserted)
      await run('iptables', ['-D', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    await agent?.stop();
    await removeContainers(server, client, remote, lateBox);
    await removeNetworks(netA, netB, netLate);
  });

  it('emits flow.start within a second of the first packet to an external host, destination external', async () => {
    const clientIp = await ipOf(client, netA);
    await docker('exec', client, 'sh', '-c', `echo hi | nc -w 2 ${INTERNET_HOST} 4444 || true`);
    const start = await waitFor(() => flowStarts((f) => f.dst.ip === INTERNET_HOST && f.src.ip === clientIp)[0], {
      what: 'flow.start to the internet host',
    });
    expect(arrivals.get(start)! - start.flow.firstSeen).toBeLessThan(1000);
    expect(start.flow).toMatchObject({
      protocol: 'tcp',
      network: netA,
      dst: { kind: 'external', port: 4444, container: null },
    });
    expect(start.flow.src).toMatchObject({ kind: 'container', container: { name: client, workload: 'pk-client' } });
    expect(start.flow.tcpFlags).toBe('S');
  });

  it('attributes a TCP exchange between two containers and counts it within 1% of the kernel', async () => {
    const serverIp = await ipOf(server, netA);
    const veth = await hostVeth(client);
    const labels = `src_workload="pk-client",dst_workload="pk-server",network="${netA}",protocol="tcp"`;
    // Frames the flow table does not count by design (ARP), counted by tcpdump on the same veth.
    const nonIp = spawn('tcpdump', ['-i', veth, '-n', '-w', '/dev/null', 'not ip and not ip6'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let nonIpOutput = '';
    nonIp.stderr.on('data', (chunk: Buffer) => (nonIpOutput += chunk.toString('utf8')));
    await waitFor(() => nonIpOutput.includes('listening on'), { what: 'tcpdump to listen' });
    // Earlier tests' connections may still be closing on this veth: start counting once it is quiet,
    // or their last packets land in the kernel's count but in another flow's metrics.
    await quiet(veth);
    const before = {
      kernel: vethCounters(veth),
      packets: metricValue(await metrics(), 'shipwatch_flow_packets_total', labels),
      bytes: metricValue(await metrics(), 'shipwatch_flow_bytes_total', labels),
    };
    // A bounded exchange: 10 connections, each one line echoed back.
    await docker(
      'exec',
      client,
      'sh',
      '-c',
      `for i in $(seq 1 10); do seq 1 3000 | nc -w 1 ${serverIp} 8080 >/dev/null; done`,
    );
    const started = Date.now() - 60_000;
    const flows = await waitFor(
      () => {
        const found = flowStarts((f) => f.dst.ip === serverIp && f.dst.port === 8080 && f.firstSeen >= started);
        return found.length >= 10 ? found.map((e) => e.flow) : null;
      },
      { what: '10 flows to the server', timeout: 20_000 },
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}: ${JSON.stringify(agent.sources.flows.counts)} ${(await metrics())
          .split('\n')
          .filter((l) => l.startsWith('shipwatch_capture'))
          .join(
            ' ',
          )} ${JSON.stringify(events.filter((e) => e.kind.startsWith('flow')).map((e) => ('flow' in e ? [e.kind, e.flow.src.ip, e.flow.dst.ip, e.flow.dst.port, e.flow.firstSeen >= started] : null)))}`,
      );
    });
    expect(flows[0]?.src.container?.workload).toBe('pk-client');
    expect(flows[0]?.dst.container?.workload).toBe('pk-server');
    // The kernel's count for the client's veth (both directions) against the flow metrics, once
    // the last ACKs are drained into them; ARP may add a frame or two on the kernel's side only.
    await settle(flows);
    const nonIpExited = new Promise((resolve) => nonIp.once('exit', resolve));
    nonIp.kill('SIGINT');
    await nonIpExited;
    const nonIpFrames = Number(/(\d+) packets? captured/.exec(nonIpOutput)?.[1] ?? NaN);
    expect(nonIpFrames).toBeGreaterThanOrEqual(0);
    let last = {};
    const compared = await waitFor(
      async () => {
        const text = await metrics();
        const kernel = vethCounters(veth);
        const kernelPackets = kernel.packets - before.kernel.packets - nonIpFrames;
        const kernelBytes = kernel.bytes - before.kernel.bytes;
        const packets = metricValue(text, 'shipwatch_flow_packets_total', labels) - before.packets;
        const bytes = metricValue(text, 'shipwatch_flow_bytes_total', labels) - before.bytes;
        last = {
          kernelPackets,
          packets,
          kernelBytes,
          bytes,
          lines: text.split('\n').filter((l) => l.includes('pk-client') || l.startsWith('shipwatch_capture')),
        };
        const close =
          Math.abs(kernelPackets - packets) <= kernelPackets * 0.01 &&
          Math.abs(kernelBytes - bytes) <= kernelBytes * 0.01;
        return close ? { kernelPackets, packets, kernelBytes, bytes } : null;
      },
      { timeout: 8000, what: 'flow metrics to match the veth counters within 1%' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: last comparison ${JSON.stringify(last)}`);
    });
    expect(compared.packets).toBeGreaterThanOrEqual(10 * 8);
  });

  /** Waits until the veth's kernel counters stop moving for a second (bounded). */
  async function quiet(veth: string): Promise<void> {
    let last = -1;
    await waitFor(
      () => {
        const now = vethCounters(veth).packets;
        const still = now === last;
        last = now;
        return still;
      },
      { timeout: 10_000, interval: 1000, what: `${veth} to be quiet` },
    );
  }

  /** Waits until no packet of these flows was seen for half a second (closing ACKs included). */
  async function settle(flows: FlowRecord[]): Promise<void> {
    const ids = new Set(flows.map((f) => f.id));
    const lastSeen = () =>
      Math.max(
        0,
        ...events.filter((e) => 'flow' in e && ids.has(e.flow.id)).map((e) => ('flow' in e ? e.flow.lastSeen : 0)),
      );
    await waitFor(() => Date.now() - lastSeen() > 1500, { what: 'the exchange to settle' });
  }

  it('lists an active flow in /api/flows and counts captured packets per interface', async () => {
    const serverIp = await ipOf(server, netA);
    await docker('exec', '-d', client, 'sh', '-c', `(echo open; sleep 20) | nc -w 25 ${serverIp} 8080`);
    const listed = await waitFor(
      async () => (await apiFlows()).find((f) => f.dst.ip === serverIp && f.state !== 'closed'),
      {
        what: 'an open flow in /api/flows',
      },
    );
    expect(listed.src.container?.name).toBe(client);
    expect(listed.dst.container?.name).toBe(server);
    const text = await waitFor(
      async () => {
        const t = await metrics();
        return /shipwatch_capture_packets_total\{interface="br-[0-9a-f]{12}"\} [1-9]/.test(t) &&
          /shipwatch_flows_active\{network=/.test(t)
          ? t
          : null;
      },
      { what: 'capture metrics' },
    );
    expect(text).toMatch(/shipwatch_capture_dropped_total|shipwatch_capture_packets_total/);
  });

  it('captures a network created after the agent started and detaches when it is removed', async () => {
    await docker('network', 'create', netLate);
    const bridge = `br-${(await docker('network', 'inspect', '-f', '{{.Id}}', netLate)).slice(0, 12)}`;
    await waitFor(() => agent.health.get(`capture:${bridge}`)?.state === 'up', {
      what: `capture on the new bridge ${bridge}`,
    });
    // Its counters exist from the attach on, before any traffic: a quiet bridge reads as 0 lost.
    await waitFor(async () => (await metrics()).includes(`shipwatch_capture_dropped_total{interface="${bridge}"} 0`), {
      what: `a zero drop counter for ${bridge}`,
    });
    await runContainer(lateBox, ['--network', netLate, '--label', 'shipwatch.workload=pk-late']);
    await docker('exec', lateBox, 'sh', '-c', `echo hi | nc -w 2 ${INTERNET_HOST} 80 || true`);
    await waitFor(() => flowStarts((f) => f.network === netLate && f.dst.ip === INTERNET_HOST)[0], {
      what: 'a flow on the new network',
    });
    // The kernel's own IPv6 traffic from the bridge (multicast listener reports from its link-local
    // address, sent once the bridge has a port) is the host's, not external.
    const linkLocal = await waitFor(
      () => networkInterfaces()[bridge]?.find((a) => a.family === 'IPv6' && a.address.startsWith('fe80:'))?.address,
      { what: `an IPv6 link-local address on ${bridge}` },
    );
    const fromBridge = await waitFor(() => flowStarts((f) => f.network === netLate && f.src.ip === linkLocal)[0], {
      what: `a flow from the bridge's own address ${linkLocal}`,
    });
    expect(fromBridge.flow.src.kind).toBe('host');
    const pids = captureChildren(bridge);
    expect(pids.length).toBe(1);
    await removeContainers(lateBox);
    await docker('network', 'rm', netLate);
    await waitFor(() => agent.health.get(`capture:${bridge}`) === undefined, { what: 'the capture to detach' });
    await waitFor(() => captureChildren(bridge).length === 0, { what: 'the capture process to end' });
    expect(agent.sources.packets.captures.attached()).not.toContain(bridge);
  });

  it('recognises a flow routed between two bridges as one flow with both ends attributed', async () => {
    await run('iptables', ['-I', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    ruleInserted = true;
    const remoteIp = await ipOf(remote, netB);
    await docker('exec', client, 'sh', '-c', `echo cross | nc -w 2 ${remoteIp} 9000 || true`);
    const routed = await waitFor(
      () => events.find((e) => 'flow' in e && e.flow.dst.ip === remoteIp && e.flow.networks.length === 2),
      { what: 'a flow seen on both bridges' },
    );
    const flow = 'flow' in routed ? routed.flow : null;
    expect(flow?.networks.sort()).toEqual([netA, netB].sort());
    expect(flow?.src.container?.name).toBe(client);
    expect(flow?.dst.container?.name).toBe(remote);
    expect(flowStarts((f) => f.dst.ip === remoteIp && f.dst.port === 9000)).toHaveLength(1);
  });

  it('starts every routed flow at its source, whichever bridge capture hands its packets over first', async () => {
    const remoteIp = await ipOf(remote, netB);
    const before = flowStarts((f) => f.dst.ip === remoteIp).length;
    // Each connection is one flow seen on two bridges by two capture processes; the merge puts the
    // source bridge's sighting first by kernel timestamp, so the flow begins at the client.
    for (let i = 0; i < 5; i++)
      await docker('exec', client, 'sh', '-c', `echo cross | nc -w 2 ${remoteIp} 9000 || true`);
    const starts = await waitFor(
      () => {
        const found = flowStarts((f) => f.dst.ip === remoteIp).slice(before);
        return found.length >= 5 ? found : null;
      },
      { what: 'five routed flows' },
    );
    expect(starts).toHaveLength(5);
    for (const { flow } of starts) {
      expect(flow.src.container?.name).toBe(client);
      expect(flow.network).toBe(netA);
    }
  });
});

/** The host side of a container's eth0: its peer ifindex, read inside the container. */
async function hostVeth(container: string): Promise<string> {
  const iflink = (await docker('exec', container, 'cat', '/sys/class/net/eth0/iflink')).trim();
  const { stdout } = await run('ip', ['-o', 'link']);
  const line = stdout.split('\n').find((l) => l.startsWith(`${iflink}: `));
  const name = line?.split(': ')[1]?.split('@')[0];
  if (!name) throw new Error(`no host interface with index ${iflink}`);
  return name;
}

/** Frames and bytes through a veth in both directions. */
function vethCounters(veth: string): { packets: number; bytes: number } {
  const read = (name: string) => Number(readFileSync(`/sys/class/net/${veth}/statistics/${name}`, 'utf8'));
  return { packets: read('rx_packets') + read('tx_packets'), bytes: read('rx_bytes') + read('tx_bytes') };
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Capture child processes running on a bridge. */
function captureChildren(bridge: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (
        cmdline.some((a) => a.endsWith('shipwatch-capture.js')) &&
        cmdline.includes(bridge) &&
        process.pid === ppidOf(entry)
      )
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function ppidOf(pid: string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
