// The Docker source against a fake daemon whose inspects the test answers by hand: what the event
// stream's messages become, in which order, and what waits for what.
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Health } from '../../../../core/health.ts';
import { createLogger } from '../../../../core/logger.ts';
import { DockerSource } from '../../../../collector/docker/docker-source.ts';
import type { ShipwatchEvent } from '../../../../collector/events.ts';
import { Inventory } from '../../../../collector/inventory.ts';
import { waitFor } from '../../../support/wait.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function inspectOf(id: string, status = 'running') {
  return {
    Id: id,
    Name: `/${id.slice(0, 4)}`,
    Image: 'sha256:0',
    Created: '2026-12-01T00:00:00Z',
    Config: { Image: 'shop/api:1', Labels: {}, Env: [] },
    State: { Status: status, Pid: 100, StartedAt: '2026-12-01T00:00:01Z' },
    HostConfig: {},
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

/** A fake daemon: inspects of a container wait until the test answers them (or never do). */
function fakeDaemon() {
  const streams: PassThrough[] = [];
  let resyncs = 0;
  const waiting: { id: string; answer: (status?: string) => void; gone: () => void }[] = [];
  /** Containers whose inspect was given up (its AbortSignal fired). */
  const aborted: string[] = [];
  const docker = {
    ping: () => Promise.resolve('OK'),
    getEvents: () => Promise.resolve(streams[streams.push(new PassThrough()) - 1]),
    listNetworks: () => Promise.resolve([]).finally(() => resyncs++),
    listContainers: () => Promise.resolve([]),
    info: () => Promise.reject(new Error('no posture in this test')),
    version: () => Promise.reject(new Error('no posture in this test')),
    getContainer: (id: string) => ({
      inspect: (opts?: { abortSignal?: AbortSignal }) =>
        new Promise((resolve, reject) => {
          const call = {
            id,
            answer: (status?: string) => resolve(inspectOf(id, status)),
            gone: () => reject(Object.assign(new Error(`No such container: ${id}`), { statusCode: 404 })),
          };
          waiting.push(call);
          opts?.abortSignal?.addEventListener('abort', () => {
            aborted.push(id);
            waiting.splice(waiting.indexOf(call), 1);
          });
        }),
    }),
    getExec: () => ({
      inspect: () => Promise.resolve({ ProcessConfig: { entrypoint: 'sh', arguments: [], user: '' } }),
    }),
  };
  const send = (message: object) => streams.at(-1)?.write(`${JSON.stringify({ time: 1_764_547_200, ...message })}\n`);
  const answer = async (id: string, status?: string | null) => {
    const call = await waitFor(() => waiting.find((w) => w.id === id), { what: `an inspect of ${id.slice(0, 4)}` });
    waiting.splice(waiting.indexOf(call), 1);
    if (status === null) call.gone();
    else call.answer(status);
  };
  return {
    docker: docker as unknown as Docker,
    send,
    answer,
    waiting,
    aborted,
    resyncs: () => resyncs,
    endStream: () => streams.at(-1)?.end(),
  };
}

const container = (id: string, Action: string, Attributes: Record<string, string> = {}) => ({
  Type: 'container',
  Action,
  Actor: { ID: id, Attributes },
});

describe('DockerSource', () => {
  let source: DockerSource | undefined;
  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });

  function start(daemon: ReturnType<typeof fakeDaemon>, eventInspectTimeoutMs?: number) {
    const events: ShipwatchEvent[] = [];
    const logs: Record<string, unknown>[] = [];
    const log = createLogger('warn', false, {
      write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
    });
    source = new DockerSource({
      docker: daemon.docker,
      dockerHost: 'unix:///fake.sock',
      inventory: new Inventory(),
      host: 'test-host',
      zoneMapping: {},
      health: new Health(),
      log,
      emit: (event) => events.push(event),
      ...(eventInspectTimeoutMs ? { eventInspectTimeoutMs } : {}),
    });
    source.start();
    return { events, logs };
  }

  it('says disconnected and removed, once each, of a container `docker rm -f` destroyed before its disconnect was inspected', async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    await daemon.answer(A);
    daemon.send({
      Type: 'network',
      Action: 'disconnect',
      Actor: { ID: 'n1', Attributes: { container: A, name: 'net' } },
    });
    daemon.send(container(A, 'die', { exitCode: '137' }));
    daemon.send(container(A, 'destroy'));
    await daemon.answer(A, null); // the disconnect's inspect: already gone
    await waitFor(() => events.some((e) => e.kind === 'container.removed'), { what: 'the removal of A' });
    await daemon.answer(A, null).catch(() => undefined); // the die's, if it asked (it may know A is gone)
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.map((e) => e.kind)).toEqual(['container.started', 'network.disconnected', 'container.removed']);
  });

  it('says stopped, then removed, when the die finds the container gone', async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    await daemon.answer(A);
    daemon.send(container(A, 'die', { exitCode: '137' }));
    daemon.send(container(A, 'destroy'));
    await daemon.answer(A, null);
    await waitFor(() => events.some((e) => e.kind === 'container.removed'), { what: 'the removal of A' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = events.find((e) => e.kind === 'container.stopped');
    expect(events.map((e) => e.kind)).toEqual(['container.started', 'container.stopped', 'container.removed']);
    expect(stopped && 'exitCode' in stopped ? stopped.exitCode : null).toBe(137);
  });

  it("raises an exec into one container while another container's inspect is still unanswered", async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    daemon.send(container(B, 'start'));
    daemon.send(container(B, 'exec_start: sh', { execID: 'e1' }));
    await daemon.answer(B);
    await waitFor(() => events.find((e) => e.kind === 'exec.started'), { what: 'the exec of B' });
    expect(events.map((e) => `${e.kind} ${'container' in e ? e.container.id[0] : ''}`)).toEqual([
      'container.started b',
      'exec.started b',
    ]);
    await daemon.answer(A);
    await waitFor(() => events.length === 3, { what: 'the start of A' });
  });

  it("keeps one container's messages in the daemon's order: its destroy waits for the start before it", async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    daemon.send(container(A, 'destroy'));
    await waitFor(() => daemon.waiting.length === 1, { what: 'the inspect of the start' });
    expect(events).toEqual([]);
    await daemon.answer(A);
    await waitFor(() => events.length === 2, { what: 'both messages' });
    expect(events.map((e) => e.kind)).toEqual(['container.started', 'container.removed']);
  });

  it('orders a network connect with the container it connects', async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'create'));
    daemon.send({
      Type: 'network',
      Action: 'connect',
      Actor: { ID: 'n1', Attributes: { container: A, name: 'net1' } },
    });
    await waitFor(() => daemon.waiting.length === 1, { what: 'the inspect of the create' });
    await daemon.answer(A, 'created');
    await daemon.answer(A, 'created');
    await waitFor(() => events.length === 2, { what: 'both messages' });
    expect(events.map((e) => e.kind)).toEqual(['container.created', 'network.connected']);
  });

  it('skips, with a warning, a message whose inspect the daemon never answers, and goes on with the next', async () => {
    const daemon = fakeDaemon();
    const { events, logs } = start(daemon, 50);
    await source!.synced();
    daemon.send(container(A, 'start'));
    daemon.send(container(A, 'die', { exitCode: '0' }));
    await waitFor(() => daemon.aborted.length === 1 && daemon.waiting.length === 1, {
      what: 'the inspect of the die after the first gave up',
    });
    expect(logs.filter((l) => String(l.msg).startsWith('docker event'))).toMatchObject([
      { msg: 'docker event skipped: the daemon did not answer', action: 'start' },
    ]);
    await daemon.answer(A, 'exited');
    await waitFor(() => events.length === 1, { what: 'the stop' });
    expect(events[0]?.kind).toBe('container.stopped');
  });

  it('resyncs after a reconnection only once the messages of the stream before are handled', async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    await waitFor(() => daemon.waiting.length === 1, { what: 'the inspect' });
    daemon.endStream();
    // The reconnection comes after a backoff of 250 to 500 ms; then the resync must wait.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(daemon.resyncs()).toBe(1);
    await daemon.answer(A);
    await waitFor(() => daemon.resyncs() === 2, { what: 'the resync', timeout: 2000 });
    // The fake daemon lists no container: the resync, after the start, takes A for gone.
    await waitFor(() => events.length === 3, { what: 'what the resync found' });
    expect(events.map((e) => e.kind)).toEqual(['container.started', 'container.stopped', 'container.removed']);
  });

  it('waits in stop() for a message still being handled', async () => {
    const daemon = fakeDaemon();
    const { events } = start(daemon);
    await source!.synced();
    daemon.send(container(A, 'start'));
    await waitFor(() => daemon.waiting.length === 1, { what: 'the inspect' });
    let stopped = false;
    const stopping = source!.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    await daemon.answer(A);
    await stopping;
    expect(events.map((e) => e.kind)).toEqual(['container.started']);
  });
});
