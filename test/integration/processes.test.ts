import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../collector/events.ts';
import { startActivity, type ActivityHarness } from '../support/activity-harness.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);

describe('process events from the proc connector', () => {
  const target = uniqueName('proc');
  const other = uniqueName('proc-other');
  let activity: ActivityHarness;
  let targetId: string;
  let otherId: string;

  const execs = (containerId: string): EventOf<'process.exec'>[] =>
    activity.events.filter(
      (e): e is EventOf<'process.exec'> => e.kind === 'process.exec' && e.container.id === containerId,
    );

  beforeAll(async () => {
    activity = await startActivity();
    targetId = await runContainer(target);
    otherId = await runContainer(other, [], ['sh', '-c', 'while true; do sleep 0.2; done']);
    await waitFor(() => activity.events.some((e) => e.kind === 'container.started' && e.container.id === otherId));
  });

  afterAll(async () => {
    await activity?.stop();
    await removeContainers(target, other);
  });

  it('reports the proc connector as up in health', () => {
    expect(activity.processes.mode).toBe('netlink');
    expect(activity.health.get('processes')?.state).toBe('up');
  });

  it('attributes sh and cat of a docker exec to the container, with argv and the exec id', async () => {
    await docker('exec', target, 'sh', '-c', 'id; cat /etc/hostname');
    const sh = await waitFor(
      () => execs(targetId).find((e) => e.process.argv.join(' ') === 'sh -c id; cat /etc/hostname'),
      { what: 'sh' },
    );
    // sh execs cat as its last command in its own pid; `id` is a busybox applet that sh runs in a
    // forked child without any exec, so the kernel reports no exec for it (nor would it to Falco).
    const cat = await waitFor(() => execs(targetId).find((e) => e.process.pid === sh.process.pid && e !== sh), {
      what: 'the exec of cat',
    });
    if (sh.process.complete) expect(sh.process.exe).toBe('/bin/busybox');
    expect(sh.container.name).toBe(target);
    expect(sh.process.execId).toMatch(/^[0-9a-f]{64}$/);
    expect(sh.process.healthcheck).toBe(false);
    expect(cat.container.name).toBe(target);
    expect(cat.process.execId).toBe(sh.process.execId);
    // cat lives a few microseconds: gone before /proc is read, its argv is honestly unknown; gone
    // between the reads, its argv is known and its exe not (complete: false). Never a wrong argv.
    if (cat.process.complete) expect(cat.process.argv).toEqual(['cat', '/etc/hostname']);
    else expect([[], ['cat', '/etc/hostname']]).toContainEqual(cat.process.argv);
  });

  it('sees the entrypoint loop of another container as that container, without an exec id', async () => {
    const sleep = await waitFor(() => execs(otherId).find((e) => e.process.argv[0] === 'sleep'), { what: 'sleep' });
    expect(sleep.container.name).toBe(other);
    expect(sleep.process.execId).toBeNull();
    expect(execs(targetId).some((e) => e.process.argv[0] === 'sleep' && e.process.argv[1] === '0.2')).toBe(false);
  });

  it('emits nothing for a process of the host', async () => {
    const marker = `swt-host-${Date.now()}`;
    await run('/bin/sh', ['-c', `/bin/true ${marker}`]);
    // A later container event: the host one would have come first.
    await docker('exec', target, 'sleep', '0.2');
    await waitFor(() => execs(targetId).find((e) => e.process.argv.join(' ') === 'sleep 0.2'), {
      what: 'sleep in container',
    });
    const leaked = activity.events.filter((e) => e.kind === 'process.exec' && e.process.argv.includes(marker));
    expect(leaked).toEqual([]);
  });

  it('sees every one of 200 short-lived processes started in a loop inside a container', async () => {
    const script = 'i=0; while [ $i -lt 200 ]; do /bin/busybox true; i=$((i+1)); done';
    // busybox sh runs applets named without a path in a forked child without exec (standalone
    // shell), so the loop names the binary by path: each iteration is a real fork + exec.
    await docker('exec', target, 'sh', '-c', script);
    const loop = await waitFor(() => execs(targetId).find((e) => e.process.argv[2] === script), { what: 'the loop' });
    // The kernel queues proc events per CPU, so a child's fork can arrive after its exec: a child
    // gone before /proc said its PPid then has no parent (ppid 0), but is still reported and
    // attributed to the container, in the loop's exec session. Reported and attributed is the
    // promise; the parent, where the kernel's order allows.
    const orphan = (e: EventOf<'process.exec'>) =>
      e.process.ppid === 0 && e.at >= loop.at && e.process.execId === loop.process.execId && e !== loop;
    const children = (): EventOf<'process.exec'>[] =>
      execs(targetId).filter((e) => e.process.ppid === loop.process.pid || orphan(e));
    const seen = await waitFor(() => (children().length >= 200 ? children().length : null), {
      timeout: 15_000,
      what: '200 execs',
    }).catch(() => children().length);
    const withArgv = children().filter((e) => e.process.complete).length;
    const orphans = children().filter(orphan).length;
    console.log(
      `short-lived processes: started 200, seen ${seen} (${orphans} without their parent), with exe and argv read from /proc ${withArgv}`,
    );
    expect(seen).toBe(200);
    expect(children().every((e) => e.process.execId === loop.process.execId)).toBe(true);
  });

  it('reports the exit of a container process with its exit code', async () => {
    await docker('exec', target, 'sh', '-c', 'sleep 0.1; exit 3').catch(() => '');
    const root = await waitFor(() => execs(targetId).find((e) => e.process.argv[2] === 'sleep 0.1; exit 3'), {
      what: 'the exec',
    });
    const exit = await waitFor(
      () => activity.events.find((e) => e.kind === 'process.exit' && e.pid === root.process.pid && e.exitCode === 3),
      { what: 'the exit with code 3' },
    );
    expect(exit.kind === 'process.exit' && exit.exitCode).toBe(3);
    expect(exit.kind === 'process.exit' && exit.container.id).toBe(targetId);
  });
});

describe('healthcheck processes', () => {
  const name = uniqueName('proc-health');
  let activity: ActivityHarness;

  beforeAll(async () => {
    activity = await startActivity();
  });

  afterAll(async () => {
    await activity?.stop();
    await removeContainers(name);
  });

  it('marks the processes of a Docker healthcheck as healthcheck, not interactive', async () => {
    const id = await runContainer(name, ['--health-cmd', 'sleep 0.1', '--health-interval', '1s']);
    const check = await waitFor(
      () =>
        activity.events.find(
          (e): e is EventOf<'process.exec'> =>
            e.kind === 'process.exec' && e.container.id === id && e.process.argv.join(' ') === '/bin/sh -c sleep 0.1',
        ),
      { timeout: 15_000, what: 'a healthcheck exec' },
    );
    expect(check.process.healthcheck).toBe(true);
    expect(check.process.execId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('process events without the proc connector', () => {
  const name = uniqueName('proc-poll');
  let activity: ActivityHarness;

  beforeAll(async () => {
    activity = await startActivity('poll');
  });

  afterAll(async () => {
    await activity?.stop();
    await removeContainers(name);
  });

  it('polls container cgroups, says so in health and still sees a long-lived process', async () => {
    expect(activity.health.get('processes')?.state).toBe('degraded');
    expect(activity.health.get('processes')?.detail).toMatch(/polling/);
    const id = await runContainer(name);
    const exec = await waitFor(() => activity.events.find((e) => e.kind === 'process.exec' && e.container.id === id), {
      what: 'a polled exec',
    });
    expect(exec.kind === 'process.exec' && exec.process.argv).toEqual(['sleep', '600']);
  });
});
