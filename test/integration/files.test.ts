import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../collector/events.ts';
import { startActivity, type ActivityHarness } from '../support/activity-harness.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('file events from the overlay2 UpperDir', () => {
  const name = uniqueName('files');
  const early = uniqueName('files-early');
  let activity: ActivityHarness;
  let id: string;

  const fileEvents = (containerId: string, path: string): EventOf<'file.changed'>[] =>
    activity.events.filter(
      (e): e is EventOf<'file.changed'> =>
        e.kind === 'file.changed' && e.container.id === containerId && e.path === path,
    );

  /** Runs a command in the container and waits (≤ 1 s after it returned) for the one event it should cause. */
  async function expectOneEvent(command: string, path: string, op: string): Promise<number> {
    const before = fileEvents(id, path).length;
    await docker('exec', name, 'sh', '-c', command);
    const returned = Date.now();
    await waitFor(() => fileEvents(id, path).length > before, { timeout: 1000, interval: 10, what: `${op} ${path}` });
    const latency = Date.now() - returned;
    const event = fileEvents(id, path).at(-1);
    expect(event?.op).toBe(op);
    expect(event?.preexisting).toBe(false);
    return latency;
  }

  beforeAll(async () => {
    // A container that changed files before the agent watched: reported at attach as preexisting.
    await runContainer(early, [], ['sh', '-c', 'echo old > /tmp/before-agent; sleep 600']);
    await waitFor(async () => (await docker('diff', early)).includes('/tmp/before-agent'), { what: 'early write' });
    activity = await startActivity();
    id = await runContainer(name);
    await waitFor(() => activity.events.some((e) => e.kind === 'container.started' && e.container.id === id));
  });

  afterAll(async () => {
    await activity?.stop();
    await removeContainers(name, early);
  });

  it('reports each write, append, delete and chmod once, with the right op and path, within 1 s', async () => {
    const latencies = [
      await expectOneEvent('echo evil > /etc/evil', '/etc/evil', 'create'),
      await expectOneEvent('echo extra >> /etc/group', '/etc/group', 'write'),
      await expectOneEvent('rm /etc/nsswitch.conf', '/etc/nsswitch.conf', 'delete'),
      await expectOneEvent('cat /bin/busybox > /tmp/sleep', '/tmp/sleep', 'create'),
      await expectOneEvent('chmod +x /tmp/sleep', '/tmp/sleep', 'chmod'),
    ];
    console.log(`file event latency after docker exec returned (ms): ${latencies.join(', ')}`);
    expect(fileEvents(id, '/etc/evil')).toHaveLength(1);
    expect(fileEvents(id, '/etc/group')).toHaveLength(1);
    expect(fileEvents(id, '/etc/nsswitch.conf')).toHaveLength(1);
    expect(fileEvents(id, '/tmp/sleep').map((e) => e.op)).toEqual(['create', 'chmod']);
    // /etc itself was only copied up from the image: not a change of its own.
    expect(fileEvents(id, '/etc')).toEqual([]);
  });

  it('marks the exec of the dropped file as drift', async () => {
    // A copy of busybox runs the applet its name says: the dropped /tmp/sleep lives 1 s, long
    // enough for /proc to be read (see the report on processes gone within a millisecond).
    await docker('exec', name, '/tmp/sleep', '1');
    const exec = await waitFor(
      () =>
        activity.events.find(
          (e): e is EventOf<'process.exec'> =>
            e.kind === 'process.exec' && e.container.id === id && e.process.argv[0] === '/tmp/sleep',
        ),
      { what: 'the exec of /tmp/sleep' },
    );
    expect(exec.process.exe).toBe('/tmp/sleep');
    expect(exec.process.drift).toBe(true);
    const busybox = activity.events.find(
      (e) => e.kind === 'process.exec' && e.container.id === id && e.process.exe === '/bin/busybox',
    );
    expect(busybox?.kind === 'process.exec' && busybox.process.drift).toBe(false);
  });

  it('reports a rename as one event with the old path', async () => {
    await docker('exec', name, 'sh', '-c', 'echo a > /tmp/a');
    await waitFor(() => fileEvents(id, '/tmp/a').length > 0, { what: 'create /tmp/a' });
    await docker('exec', name, 'mv', '/tmp/a', '/tmp/b');
    const renamed = await waitFor(() => fileEvents(id, '/tmp/b')[0], { timeout: 1000, what: 'rename' });
    expect(renamed.op).toBe('rename');
    expect(renamed.from).toBe('/tmp/a');
  });

  it('reports changes made before the agent watched as preexisting', async () => {
    const earlyId = await docker('inspect', '-f', '{{.Id}}', early);
    const before = await waitFor(() => fileEvents(earlyId, '/tmp/before-agent')[0], { what: 'preexisting change' });
    expect(before.preexisting).toBe(true);
    expect(before.op).toBe('create');
  });

  it('reports the file source as up in health', () => {
    expect(activity.health.get('files')?.state).toBe('up');
  });
});
