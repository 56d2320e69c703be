// One run of the attack catalogue: the attack host, one agent, every container of containers.ts
// started at once; once every workload has learned, every action at once (docker exec), each
// waited for its alert; then the twins' alerts over the whole run. What it returns is what the
// test asserts and what `npm run attacks` prints.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, removeNetworks, TEST_IMAGE, TESTENV_DIR, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';
import { ATTACK_NET, connectFromAttackHost, startAttackHost, type AttackHost } from './attack-host.ts';
import { CONTAINERS, type ContainerSpec } from './containers.ts';
import { TECHNIQUES, type Technique } from './techniques.ts';

export const LEARN_S = 12;

/** SHIPWATCH_ATTACKS=id,id… runs only those techniques (while working on one). */
export function selectedTechniques(): Technique[] {
  const only = process.env.SHIPWATCH_ATTACKS?.split(',').filter(Boolean);
  return only?.length ? TECHNIQUES.filter((t) => only.includes(t.id)) : TECHNIQUES;
}

export interface LoggedAlert {
  rule: string;
  alertTime: string;
  summary: string;
  mitre: { technique: string } | null;
  container: { name: string } | null;
  details?: unknown;
}

export interface TechniqueResult {
  technique: Technique;
  container: string;
  alert: LoggedAlert | null;
  /** From the action's first command in the container to the alert. */
  latencyMs: number | null;
  /** From invoking docker exec to the alert (includes docker exec's own start-up). */
  sinceExecMs: number | null;
  /** Rules the attack's container raised from the action's start on (delivery artifacts left out). */
  attackRules: string[];
  /** Of those, the ones its twin raised at any time of the run. */
  twinRules: string[];
  /** The twin's alerts of those rules, for the reader of a failure. */
  twinAlerts: string[];
  error: string | null;
}

/** Epoch ms of the uptime line an action printed first (uptime → wall clock through ours). */
function startedAt(output: string): number | null {
  const uptime = Number(/^(\d+\.\d+) /.exec(output)?.[1]);
  if (!Number.isFinite(uptime) || uptime === 0) return null;
  const ours = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - (ours - uptime) * 1000;
}

/**
 * Baseline rules say "not seen while learning": on a twin after a 12 s window they judge how much
 * of the twin's short-lived execs learning happened to read, not whether it looks like the attack.
 * They count only where they are the row's own rule.
 */
const BASELINE_RULES = new Set(['unexpected_process', 'unexpected_file_change', 'unexpected_egress', 'new_peer']);

/** Raised by how an attack is delivered (docker exec, a shell in it), not by what it does. */
function delivery(alert: LoggedAlert, technique: Technique): boolean {
  if (alert.rule === technique.rule) return false;
  if (BASELINE_RULES.has(alert.rule)) return true;
  if (alert.rule === 'interactive_exec') return true;
  if (alert.rule === 'suspicious_process' && /started the shell sh through docker exec/.test(alert.summary))
    return true;
  return alert.rule === 'risky_container_config' || alert.rule === 'insecure_daemon_config';
}

/** The host's docker CLI with the libraries it links, for the Docker-socket attack. */
function dockerCliMounts(): string[] {
  const cli = '/usr/bin/docker';
  const libs = execFileSync('ldd', [cli], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  return [
    ...['-v', `${cli}:/usr/local/bin/docker:ro`],
    ...libs.flatMap((lib) => ['-v', `${lib}:${lib}:ro`]),
    ...['-v', `${TESTENV_DIR}/docker.sock:/var/run/docker.sock`],
  ];
}

export class CatalogueRun {
  readonly prefix = uniqueName('atk');
  readonly network = `${this.prefix}-net`;
  agent: AgentProcess | null = null;
  #host: AttackHost | null = null;
  /** The DOCKER-USER rule letting the attack host reach this run's containers (inbound techniques). */
  #hookRule: string[] | null = null;
  #twinClients: NodeJS.Timeout | null = null;
  readonly results: TechniqueResult[] = [];

  name(role: string): string {
    return `${this.prefix}-${role}`;
  }

  alerts(): LoggedAlert[] {
    return (this.agent?.logs ?? []).filter((l) => l.msg === 'alert').map((l) => l as unknown as LoggedAlert);
  }

  async setUp(): Promise<void> {
    this.#host = await startAttackHost();
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-attacks-'));
    const config = path.join(dir, 'shipwatch.yaml');
    // The twins and the busy workloads use busybox nc as their HTTP client: known-good for them,
    // and exactly what a SOC would suppress (an attack container has no such suppression).
    writeFileSync(
      config,
      [
        `learn: ${LEARN_S}s`,
        'suppressions:',
        ...['atk/twin-*', 'atk/busy-*'].map(
          (w) => `  - { workload: "${w}", rule: suspicious_process, match: "network_tool:nc", reason: "HTTP client" }`,
        ),
      ].join('\n'),
    );
    await docker('network', 'create', this.network);
    const subnet = (await docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', this.network)).trim();
    const rule = [
      'DOCKER-USER',
      '-s',
      ATTACK_NET,
      '-d',
      subnet,
      '-p',
      'tcp',
      '-m',
      'comment',
      '--comment',
      this.prefix,
      '-j',
      'ACCEPT',
    ];
    execFileSync('iptables', ['-I', ...rule]);
    this.#hookRule = rule;
    this.agent = await startAgent(['--config', config, '--state-dir', dir]);
    await Promise.all(CONTAINERS.map((spec) => this.#start(spec)));
    // twin-inbound's clients: one call every 2 s from the attack host, bounded in rounds.
    const twin = await this.address('twin-inbound');
    let rounds = 0;
    this.#twinClients = setInterval(() => {
      if (++rounds > 150 && this.#twinClients) clearInterval(this.#twinClients);
      else void connectFromAttackHost(twin, 8080, 'hi\n');
    }, 2000);
  }

  /** The agent's baseline of a role's workload. */
  async baseline(role: string): Promise<{ inbound?: { port: number; protocol: string }[] }> {
    const res = await fetch(`${this.agent?.baseUrl}/api/baselines/${encodeURIComponent(`atk/${role}`)}`);
    return (await res.json()) as { inbound?: { port: number; protocol: string }[] };
  }

  async address(role: string): Promise<string> {
    return (
      await docker(
        'inspect',
        '-f',
        `{{(index .NetworkSettings.Networks "${this.network}").IPAddress}}`,
        this.name(role),
      )
    ).trim();
  }

  async #start(spec: ContainerSpec): Promise<void> {
    const extra = spec.role === 'atk-socket' ? dockerCliMounts() : [];
    await docker(
      'run',
      '-d',
      '--pull=never',
      '--name',
      this.name(spec.role),
      '--network',
      this.network,
      '--label',
      `shipwatch.workload=atk/${spec.role}`,
      ...(spec.options ?? []),
      ...extra,
      TEST_IMAGE,
      'sh',
      '-c',
      spec.script,
    );
  }

  /** Every container of the run is known to the agent and its workload has finished learning. */
  async learned(): Promise<void> {
    const names = new Set(CONTAINERS.map((c) => this.name(c.role)));
    await waitFor(
      async () => {
        const res = await fetch(`${this.agent?.baseUrl}/api/containers`);
        const list = (await res.json()) as { name: string; state: string }[];
        const ours = list.filter((c) => names.has(c.name));
        return ours.length === names.size && ours.every((c) => c.state === 'monitoring');
      },
      { timeout: (LEARN_S + 30) * 1000, interval: 250, what: 'every workload to finish learning' },
    );
  }

  async #attack(technique: Technique): Promise<TechniqueResult> {
    const container = this.name(technique.container);
    const address = technique.outside ? await this.address(technique.container) : null;
    const invoked = Date.now();
    // The action's first command prints the kernel's uptime: when it really began in the
    // container, so docker exec's own start-up (a second under load) is not counted as ours.
    const argv = technique.argv ?? ['sh', '-c', `cat /proc/uptime; ${technique.action}`];
    const exec = docker('exec', container, ...argv).catch((e: Error) => e.message);
    let outside: Promise<string> | null = null;
    // An inbound rule cannot fire before the attacker connects: its time counts from then.
    let connectedAt: number | null = null;
    if (technique.outside && address) {
      const { port, line } = technique.outside;
      await sleep(500); // the listener starts
      connectedAt = Date.now();
      outside = connectFromAttackHost(address, port, line);
    }
    const match = (a: LoggedAlert) =>
      a.rule === technique.rule &&
      a.container?.name === container &&
      Date.parse(a.alertTime) >= invoked &&
      (technique.summary === undefined || technique.summary.test(a.summary));
    let alert: LoggedAlert | null = null;
    let error: string | null = null;
    try {
      alert = await waitFor(() => this.alerts().find(match), {
        timeout: technique.limitMs + 8000,
        interval: 20,
        what: `${technique.rule} on ${container}`,
      });
    } catch (e) {
      const seen = this.alerts()
        .filter((a) => a.container?.name === container && Date.parse(a.alertTime) >= invoked)
        .map((a) => `${a.rule}: ${a.summary}`);
      const reached = outside ? `; the outside client got ${JSON.stringify(await outside)}` : '';
      error = `${(e as Error).message}; exec said ${JSON.stringify(await exec)}${reached}; its alerts: ${JSON.stringify(seen)}`;
    }
    const output = await exec;
    const began = technique.argv ? null : startedAt(output);
    const alertAt = alert ? Date.parse(alert.alertTime) : null;
    return {
      technique,
      container,
      alert,
      latencyMs: alertAt === null ? null : Math.max(0, alertAt - Math.max(began ?? invoked, connectedAt ?? 0)),
      sinceExecMs: alertAt === null ? null : alertAt - invoked,
      attackRules: [],
      twinRules: [],
      twinAlerts: [],
      error,
    };
  }

  /** Every action at once, then the twins judged over the whole run. */
  async attack(): Promise<TechniqueResult[]> {
    const started = Date.now();
    // Containers at once; one action at a time inside each, as one intruder at one shell would.
    const byContainer = new Map<string, Technique[]>();
    for (const t of selectedTechniques()) byContainer.set(t.container, [...(byContainer.get(t.container) ?? []), t]);
    const batches = await Promise.all(
      [...byContainer.values()].map(async (list) => {
        const out: TechniqueResult[] = [];
        for (const t of list) out.push(await this.#attack(t));
        return out;
      }),
    );
    const order = new Map(selectedTechniques().map((t, i) => [t.id, i]));
    const results = batches.flat().sort((a, b) => (order.get(a.technique.id) ?? 0) - (order.get(b.technique.id) ?? 0));
    // The twins keep running meanwhile; give them a few more rounds after the last attack.
    await sleep(3000);
    const all = this.alerts();
    for (const r of results) {
      const raised = all.filter(
        (a) => a.container?.name === r.container && Date.parse(a.alertTime) >= started && !delivery(a, r.technique),
      );
      r.attackRules = [...new Set([r.technique.rule, ...raised.map((a) => a.rule)])].sort();
      const twin = this.name(r.technique.twin);
      const twinAlerts = all.filter((a) => a.container?.name === twin && r.attackRules.includes(a.rule));
      r.twinRules = [...new Set(twinAlerts.map((a) => a.rule))].sort();
      r.twinAlerts = twinAlerts.map((a) => `${a.rule}: ${a.summary}`);
    }
    this.results.push(...results);
    return results;
  }

  async tearDown(): Promise<void> {
    if (this.#twinClients) clearInterval(this.#twinClients);
    await this.agent?.stop();
    if (this.agent && this.results.some((r) => r.error !== null)) {
      // A miss is read from what the agent saw: its whole log, next to its state.
      const file = path.join(this.agent.stateDir, 'agent-log.jsonl');
      writeFileSync(file, this.agent.logs.map((l) => JSON.stringify(l)).join('\n'));
      console.log(`agent log of the failed run: ${file}`);
    }
    await removeContainers(...CONTAINERS.map((c) => this.name(c.role)));
    await removeNetworks(this.network);
    if (this.#hookRule) execFileSync('iptables', ['-D', ...this.#hookRule]);
    this.#host?.stop();
  }
}
