// The download-chmod-run drift on a busy host, with the real agent on the private daemon: three
// workloads exec, write and connect every half second while five containers of one learned
// workload each run ten drops in a row (50 in all, in three variants: cp to /tmp, cp to /var/tmp,
// cat > in /tmp). Every drop must be drift_executable, and every cp and cat the shell ran
// unexpected_process. Child commands are named by path: Debian's busybox sh runs a bare applet
// name (cp, cat, chmod) inside its own process without any exec, which no exec monitor can see.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, INTERNET_HOST, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const LEARN_S = 8;
const VICTIMS = 5;
const TRIES_PER_VICTIM = 10;

interface AlertLine {
  id: string;
  rule: string;
  summary: string;
  count: number;
  container: { name: string } | null;
}

/** Try i: where the file is dropped, and the command that drops, marks and runs it. */
function attack(i: number): { exe: string; copier: 'cp' | 'cat'; script: string } {
  const variant = i % 3;
  const dir = variant === 1 ? `/var/tmp/d${i}` : `/tmp/d${i}`;
  // Named like a busybox applet so the copied busybox runs (a copy under another name fails after its exec).
  const exe = `${dir}/sleep`;
  const copy = variant === 2 ? `/bin/cat /bin/busybox > ${exe}` : `/bin/cp /bin/busybox ${exe}`;
  return {
    exe,
    copier: variant === 2 ? 'cat' : 'cp',
    script: `mkdir -p ${dir} && ${copy} && /bin/chmod +x ${exe} && ${exe} 0.02`,
  };
}

describe('drift under a busy host', () => {
  const victims = Array.from({ length: VICTIMS }, (_, k) => uniqueName(`drift-v${k}`));
  const busy = Array.from({ length: 3 }, (_, k) => uniqueName(`drift-busy${k}`));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-drift-'));
  let agent: AgentProcess;

  const alertLines = (): AlertLine[] =>
    agent.logs.filter((l) => l.msg === 'alert').map((l) => l as unknown as AlertLine);

  beforeAll(async () => {
    const config = path.join(stateDir, 'shipwatch.yaml');
    writeFileSync(config, `learn: ${LEARN_S}s\nstats_interval: 1s\n`);
    agent = await startAgent(['--config', config, '--state-dir', stateDir]);
    // Busy neighbours: an exec by path, a file write and a connection to the test host, twice a second (bounded).
    const loop = `i=0; while [ $i -lt 400 ]; do /bin/date >/dev/null; echo $i >> /tmp/busy.log; printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 1 ${INTERNET_HOST} 80 >/dev/null; i=$((i+1)); sleep 0.5; done; sleep 600`;
    await Promise.all([
      ...busy.map((name, k) =>
        runContainer(name, ['--label', `shipwatch.workload=drift/busy${k}`], ['sh', '-c', loop]),
      ),
      ...victims.map((name) => runContainer(name, ['--label', 'shipwatch.workload=drift/victim'])),
    ]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(...victims, ...busy);
  });

  it('catches 50 of 50 drops as drift_executable, and all 50 of their cp and cat as unexpected_process', async () => {
    await waitFor(
      async () => {
        const list = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as {
          name: string;
          state: string;
        }[];
        return list.filter((c) => victims.includes(c.name) && c.state === 'monitoring').length === VICTIMS;
      },
      { timeout: (LEARN_S + 20) * 1000, interval: 500, what: 'the victims to monitor' },
    );
    const tries = victims.flatMap((name, k) =>
      Array.from({ length: TRIES_PER_VICTIM }, (_, t) => ({ name, ...attack(k * TRIES_PER_VICTIM + t) })),
    );
    // The five victims in parallel, each running its ten drops one after the other.
    await Promise.all(
      victims.map(async (name) => {
        for (const t of tries.filter((x) => x.name === name)) await docker('exec', name, 'sh', '-c', t.script);
      }),
    );
    const caught = (t: (typeof tries)[number]): boolean =>
      alertLines().some(
        (a) => a.rule === 'drift_executable' && a.container?.name === t.name && a.summary.includes(t.exe),
      );
    await waitFor(() => tries.every(caught), { timeout: 10_000, interval: 200, what: 'a drift alert per drop' }).catch(
      () => undefined,
    );
    const missed = tries.filter((t) => !caught(t)).map((t) => `${t.name} ${t.exe}`);
    console.log(`drift under load: ${tries.length - missed.length} of ${tries.length} drops caught`);
    if (missed.length > 0) {
      // A miss is read from what the agent saw: its whole log, next to its state.
      const file = path.join(stateDir, 'agent-log.jsonl');
      writeFileSync(file, agent.logs.map((l) => JSON.stringify(l)).join('\n'));
      console.log(`agent log of the run with a missed drop: ${file}`);
    }
    expect(missed).toEqual([]);

    // Repeats of one (rule, container, program) raise its count; they are logged on the next flush (5 s).
    const expected = (name: string, copier: 'cp' | 'cat'): number =>
      tries.filter((t) => t.name === name && t.copier === copier).length;
    const counted = (name: string, copier: 'cp' | 'cat'): number => {
      const byId = new Map<string, number>();
      for (const a of alertLines())
        if (a.rule === 'unexpected_process' && a.container?.name === name && a.summary.includes(`(${copier})`))
          byId.set(a.id, Math.max(byId.get(a.id) ?? 0, a.count));
      return [...byId.values()].reduce((sum, n) => sum + n, 0);
    };
    const report = (): string[] =>
      victims.flatMap((name) =>
        (['cp', 'cat'] as const).map((c) => `${name} ${c} ${counted(name, c)}/${expected(name, c)}`),
      );
    const total = (): number => victims.reduce((sum, n) => sum + counted(n, 'cp') + counted(n, 'cat'), 0);
    await waitFor(() => total() >= tries.length, { timeout: 8000, interval: 500, what: 'every cp and cat' }).catch(
      () => undefined,
    );
    console.log(`child execs as unexpected_process: ${total()} of ${tries.length} (${report().join(', ')})`);
    // A child gone before its /proc was read (cp of 1 MB lives ~2 ms) is known from the kernel's
    // exec trace: its program and its container, so it is judged. Until ftrace's rounding of its
    // timestamps to the nearest microsecond was allowed for (exec-trace.ts), the trace's record
    // read as later than the exec event it preceded for one or two of these children in 10 of 17
    // runs (48–49 of 50); 50 of 50 in 6 of 6 runs after.
    expect(total()).toBe(tries.length);
    for (const name of victims) expect(counted(name, 'cp') > 0 && counted(name, 'cat') > 0).toBe(true);
  }, 90_000);
});
