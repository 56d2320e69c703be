// `shipwatch run --pcap FILE` as users run it: a real process, a capture recorded by tcpdump on a
// real bridge, attribution through the live daemon's inventory; and a file that is no capture.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { queryFlowHistory } from '../../alerts/flow-history.ts';
import { queryIncidents } from '../../alerts/incident-store.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/shipwatch.js');
const dir = mkdtempSync(path.join(tmpdir(), 'sw-pcap-cli-'));

function shipwatch(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('shipwatch run --pcap', () => {
  const network = uniqueName('pcap-net');
  const box = uniqueName('pcap-box');
  const file = path.join(dir, 'bridge.pcap');
  let captured = 0;
  let execOutput = '';
  let tcpdumpErr = '';

  beforeAll(async () => {
    await docker('network', 'create', network);
    await runContainer(box, ['--network', network, '--label', 'shipwatch.workload=pcap-box']);
    const bridge = `br-${(await docker('network', 'inspect', '-f', '{{.Id}}', network)).slice(0, 12)}`;
    const tcpdump = spawn('tcpdump', ['-i', bridge, '-n', '-U', '--immediate-mode', '-Z', 'root', '-w', file, 'ip'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    tcpdump.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    await waitFor(() => err.includes('listening on'), { what: 'tcpdump to listen' });
    execOutput = await docker(
      'exec',
      box,
      'sh',
      '-c',
      `for p in 80 4444; do echo hi | nc -w 2 ${INTERNET_HOST} $p; done; true`,
    );
    const exited = new Promise((resolve) => tcpdump.once('exit', resolve));
    tcpdump.kill('SIGINT');
    await exited;
    tcpdumpErr = err;
    captured = Number(/(\d+) packets captured/.exec(err)?.[1] ?? 0);
  });

  afterAll(async () => {
    await removeContainers(box);
    await removeNetworks(network);
  });

  it('replays a real capture, attributing with the live inventory, and prints a summary', async () => {
    const result = await shipwatch([
      'run',
      '--pcap',
      file,
      '--docker-host',
      DOCKER_HOST,
      '--log-level',
      'silent',
      '--state-dir',
      dir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n'), result.stdout + result.stderr).toHaveLength(1);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ file, attribution: 'docker', malformed: 0, damaged: null });
    expect(captured, execOutput + tcpdumpErr).toBeGreaterThanOrEqual(6);
    expect(summary.packets).toBe(captured);
    expect(summary.flows).toBeGreaterThanOrEqual(2);
    expect(typeof summary.alerts).toBe('number');
  });

  it('writes the flow history and the incidents of the replay into its state directory', async () => {
    const forensics = mkdtempSync(path.join(tmpdir(), 'sw-pcap-forensics-'));
    // Policy only: the capture's connections to the test host are unexpected egress at once.
    const result = await shipwatch([
      'run',
      '--pcap',
      file,
      '--docker-host',
      DOCKER_HOST,
      '--log-level',
      'silent',
      '--learn',
      '0',
      '--state-dir',
      forensics,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { incidents: number; flowHistory: number; alerts: number };
    const flows = queryFlowHistory(forensics, { container: box, dst: INTERNET_HOST });
    expect(flows.map((f) => f.dst.port).sort()).toEqual(expect.arrayContaining([80, 4444]));
    expect(summary.flowHistory).toBeGreaterThanOrEqual(flows.length);
    const incidents = queryIncidents(forensics, { container: box });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.state).toBe('closed');
    expect(incidents[0]?.alerts.map((a) => a.rule)).toContain('unexpected_egress');
    expect(summary.incidents).toBeGreaterThanOrEqual(1);
  });

  it('reads a pcapng file with CIDR attribution when no daemon answers', async () => {
    const config = path.join(dir, 'cidr.yaml');
    writeFileSync(config, 'pcap_networks:\n  lab: 192.168.0.0/16\n');
    const result = await shipwatch([
      'run',
      '--pcap',
      '/work/shared/pcaps/bgp-extended-msg.pcapng',
      '--config',
      config,
      '--docker-host',
      `unix://${dir}/no-daemon.sock`,
      '--log-level',
      'info',
      '--state-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    // stdout is the summary alone, one JSON object; the logs are JSON lines on stderr.
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ attribution: 'cidr', malformed: expect.any(Number) as unknown });
    expect(summary.packets).toBeGreaterThan(0);
    const logs = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string });
    expect(
      logs.some((l) => l.msg === 'baselines loaded'),
      result.stderr,
    ).toBe(true);
  });

  it('exits 2 with a one-line reason when the file is not a capture', async () => {
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'this is not a capture\n');
    const result = await shipwatch([
      'run',
      '--pcap',
      notes,
      '--docker-host',
      DOCKER_HOST,
      '--log-level',
      'silent',
      '--state-dir',
      dir,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`shipwatch: ${notes}: not a pcap or pcapng capture`);
  });
});
