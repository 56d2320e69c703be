// Fault (issue 16): dockerd SIGKILLed and restarted while a container runs and raises alerts.
// On a throw-away daemon of this file's own (the shared one is never killed), with the real agent
// and a real webhook receiver: alerts before the kill, /healthz degraded while the daemon is dead,
// then events (docker exec), processes, captures (a packet alert on the same bridge) and stats
// resume by themselves, and every alert raised is journalled and delivered once.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { accountAlerts, raisedIds } from '../support/alert-accounting.ts';
import { apiContainers, differences, inspect } from '../support/inventory-match.ts';
import { SecondDockerd } from '../support/second-dockerd.ts';
import { INTERNET_HOST, TEST_IMAGE, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';
import { WebhookReceiver, freePort } from '../support/webhook-receiver.ts';

const run = promisify(execFile);

interface Healthz {
  status: string;
  sources: Record<string, { state: string; detail: string | null }>;
}
type LogLine = Record<string, unknown>;

describe('dockerd SIGKILLed while its containers raise alerts', () => {
  // A bridge and pool of its own: other fault tests run daemons of their own beside this one.
  const daemon = new SecondDockerd({
    bridge: 'sw-d2-crash0',
    bridgeAddress: '198.19.98.1/24',
    pool: 'base=198.19.100.0/22,size=24',
  });
  const network = uniqueName('crashnet');
  const name = uniqueName('alerter');
  const configDir = mkdtempSync(path.join(tmpdir(), 'sw-crash-config-'));
  const secret = 'crash-secret-for-tests-0123';
  let agent: AgentProcess;
  let receiver: WebhookReceiver;
  let bridge = '';
  let pid = 0;
  let failed = false;

  const healthz = async () => (await (await fetch(`${agent.baseUrl}/healthz`)).json()) as Healthz;
  /**
   * Sources not up, leaving out captures of bridges other than ours: the daemon's own default
   * bridge may be another test's too, whose teardown takes it away.
   */
  const notUp = (h: Healthz) =>
    Object.entries(h.sources)
      .filter(([source]) => !source.startsWith('capture:') || source === `capture:${bridge}`)
      .filter(([, s]) => s.state !== 'up' && s.state !== 'disabled')
      .map(([source, s]) => `${source} ${s.state} (${s.detail ?? ''})`);
  /** New alerts on stdout (repeats of an open alert raise its count, not a new alert). */
  const raisedOnStdout = () => agent.logs.filter((l) => l.msg === 'alert' && l.repeat === false);
  const waitAlert = (what: string, match: (l: LogLine) => boolean) =>
    waitFor(() => raisedOnStdout().find(match), { timeout: 20_000, what }).catch((error: Error) => {
      failed = true;
      const file = path.join(configDir, 'agent-log.jsonl');
      writeFileSync(file, agent.logs.map((l) => JSON.stringify(l)).join('\n'));
      throw new Error(`${error.message}; the agent's log is in ${file}`);
    });
  /** docker exec → interactive_exec (daemon events) and suspicious_process for sh (proc connector). */
  const raiseExec = async (marker: string) => {
    await daemon.docker('exec', name, 'sh', '-c', `true ${marker}`);
    const exec = await waitAlert(
      `interactive_exec ${marker}`,
      (l) => l.rule === 'interactive_exec' && String(l.summary).includes(marker),
    );
    const shell = await waitAlert(
      `suspicious_process for the shell of ${marker}`,
      (l) => l.rule === 'suspicious_process' && JSON.stringify(l.details).includes(marker),
    );
    return [exec, shell];
  };
  /** A SYN to the test internet, seen on the bridge → unexpected_egress (learn 0: policy only). */
  const waitEgress = (port: number) =>
    waitAlert(`unexpected_egress to port ${port}`, (l) => {
      const flow = (l.details as { flow?: { dst?: { ip?: string; port?: number } } } | undefined)?.flow;
      return l.rule === 'unexpected_egress' && flow?.dst?.ip === INTERNET_HOST && flow.dst.port === port;
    });
  const raiseEgress = async (port: number) => {
    await daemon.docker('exec', name, 'sh', '-c', `echo x | nc -w 1 ${INTERNET_HOST} ${port} || true`);
    return waitEgress(port);
  };
  /** The container's loop (not docker exec) connects: needs no daemon. */
  const raiseEgressFromLoop = async (port: number) => {
    await run('timeout', ['10', 'sh', '-c', `echo ${port} > /proc/${pid}/root/tmp/go`]);
    return waitEgress(port);
  };
  const transmitted = async () => {
    const text = await (await fetch(`${agent.baseUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('container_network_transmit_bytes_total{') && l.includes(`name="${name}"`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  };

  const ifindex = () => readFileSync(`/sys/class/net/${bridge}/ifindex`, 'utf8').trim();

  beforeAll(async () => {
    await daemon.start();
    await daemon.loadTestImage();
    const networkId = await daemon.docker('network', 'create', network);
    bridge = `br-${networkId.slice(0, 12)}`;
    // The container's own loop sends one SYN per port written to its FIFO: egress the test can
    // cause while dockerd is dead (no docker exec then), through /proc/<pid>/root from the host.
    const loop = `mkfifo /tmp/go; while read port < /tmp/go; do echo x | nc -w 1 ${INTERNET_HOST} $port; done`;
    await daemon.docker(
      'run',
      '-d',
      '--pull=never',
      '--name',
      name,
      '--network',
      network,
      TEST_IMAGE,
      'sh',
      '-c',
      loop,
    );
    pid = Number(await daemon.docker('inspect', '-f', '{{.State.Pid}}', name));
    receiver = new WebhookReceiver(await freePort(), secret);
    await receiver.start();
    const config = path.join(configDir, 'shipwatch.yaml');
    writeFileSync(
      config,
      `webhooks: [{url: "${receiver.url}", secret: "${secret}"}]\ndelivery: {retry_min: 200ms, retry_max: 1s}\n` +
        // Short, so the shell after the restart is an alert of its own, not a repeat of the first.
        'dedup_window: 1s\n',
    );
    agent = await startAgent(['--config', config, '--docker-host', daemon.host, '--learn', '0']);
    // Every source up (docker, processes, files, stats, the capture on the bridge) before the first alert.
    await waitFor(
      async () => {
        const h = await healthz();
        return h.sources[`capture:${bridge}`]?.state === 'up' && notUp(h).length === 0;
      },
      { timeout: 30_000, what: `every source up, with the capture on ${bridge}` },
    );
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await daemon.destroy();
    if (!failed) rmSync(configDir, { recursive: true, force: true });
  });

  it('resumes events, processes, captures and stats by itself and loses no alert', { timeout: 180_000 }, async () => {
    const started = Date.now();
    const before = [...(await raiseExec('before-kill')), await raiseEgress(4444)];
    const bridgeBefore = ifindex();

    await daemon.kill();
    const down = await waitFor(
      async () => {
        const h = await healthz();
        return h.sources.docker?.state === 'down' && h;
      },
      { timeout: 20_000, what: 'docker down in /healthz' },
    );
    console.log(`while dockerd is dead: /healthz status ${down.status}, docker ${JSON.stringify(down.sources.docker)}`);
    expect(down.status).toBe('degraded');
    expect(agent.child.exitCode).toBeNull();
    // Detection without the daemon: processes (nc) and captures (its SYN) need no Docker API.
    const meanwhile = [await raiseEgressFromLoop(9000)];

    await daemon.start();
    await waitFor(async () => (await healthz()).sources.docker?.state === 'up', {
      timeout: 60_000,
      what: 'docker up again',
    });
    await waitFor(
      async () =>
        differences(
          await inspect(daemon.host, name),
          (await apiContainers(agent.baseUrl)).find((c) => c.name === name),
        ).length === 0,
      { timeout: 10_000, what: 'the inventory to match the restarted daemon' },
    );
    const txBefore = (await transmitted()) ?? 0;
    const after = [...(await raiseExec('after-restart')), await raiseEgress(8080), await raiseEgressFromLoop(443)];
    await waitFor(async () => ((await transmitted()) ?? 0) > txBefore, {
      timeout: 20_000,
      what: 'the container transmit counter to move after the restart',
    });
    const h = await healthz();
    expect(h.sources[`capture:${bridge}`]?.state).toBe('up');
    // A proc connector event lost on a loaded host (processes degraded, counted) is not the
    // daemon's doing: everything else must be back up.
    expect(notUp(h).filter((s) => !/^processes degraded \(proc connector: \d+ events lost/.test(s))).toEqual([]);
    const captureLog = agent.logs
      .filter((l) => String(l.msg).startsWith('capture'))
      .map((l) => `${String(l.msg)} ${String(l.interface)}`);
    console.log(
      `bridge ${bridge} ifindex ${bridgeBefore} before the kill, ${ifindex()} after; capture log: ${captureLog.join('; ')}`,
    );

    // Nothing lost: every alert raised (ids on stdout) journalled and delivered to the webhook, once.
    const raised = raisedIds(agent.logs);
    await waitFor(() => raised.every((id) => receiver.accepted.some((r) => r.id === id)), {
      timeout: 30_000,
      what: 'every alert delivered',
    });
    const books = accountAlerts(agent.stateDir, agent.logs, { webhook: receiver.accepted.map((r) => r.id) });
    console.log(
      `dockerd SIGKILL: ${books.line} (awaited among them: ${before.length} before the kill, ` +
        `${meanwhile.length} while dead, ${after.length} after the restart); ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const alert of [...before, ...meanwhile, ...after]) expect(books.raised).toContain(String(alert.id));
    expect(books.journalled).toEqual(books.raised);
    expect(books.deliveredOnce.webhook).toEqual(books.raised);
    expect(books.duplicates.webhook).toEqual([]);
    expect(receiver.accepted.every((r) => r.signatureValid)).toBe(true);
  });
});
