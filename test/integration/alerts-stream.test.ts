// A stream client that stops reading is dropped with a reason once its backlog passes the limit,
// instead of the agent buffering for it without end. Real server, real socket, real ws client, and
// the agent's own GET /api/stream registration, so the route under test is the one that ships.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../core/logger.ts';
import { HttpServer } from '../../agent/server.ts';
import { Tokens } from '../../agent/tokens.ts';
import { registerStreamRoutes } from '../../agent/routes/stream.ts';
import { LiveStream, SLOW_CONSUMER_CODE } from '../../alerts/stream.ts';
import { waitFor } from '../support/wait.ts';

describe('live stream with a client that stops reading', () => {
  const log = createLogger('silent', false);
  const server = new HttpServer({ listen: '127.0.0.1:0', tokens: new Tokens([]), tls: null, log });
  const stream = new LiveStream({ log, maxBufferedBytes: 256 * 1024 });
  let url = '';

  beforeAll(async () => {
    registerStreamRoutes(server, stream);
    const { port } = await server.listen();
    url = `ws://127.0.0.1:${port}/api/stream`;
  });

  afterAll(async () => {
    stream.close();
    await server.close();
  });

  it('closes the slow client with code 1013 and a reason, and keeps serving others', async () => {
    const slow = new WebSocket(url);
    const fast = new WebSocket(url);
    await Promise.all([slow, fast].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    let fastMessages = 0;
    fast.on('message', () => fastMessages++);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // The slow client's socket stops reading: the kernel buffers fill, then ws's bufferedAmount grows.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitFor(() => stream.clients === 2, { what: 'both clients registered' });
    const payload = 'x'.repeat(16 * 1024);
    let sent = 0;
    // Bounded: at most 2000 × 16 KiB; the drop normally comes after a few MB of kernel buffers.
    await waitFor(
      () => {
        for (let i = 0; i < 20 && sent < 2000; i++, sent++) stream.broadcast('flow', { payload });
        return stream.clients === 1 || sent >= 2000;
      },
      { timeout: 20_000, interval: 10, what: 'the slow client to be dropped' },
    );
    expect(stream.clients).toBe(1);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(SLOW_CONSUMER_CODE);
    expect(reason).toMatch(/slow consumer/);
    await waitFor(() => fastMessages > 0, { what: 'the fast client to keep receiving' });
    fast.close();
  });
});
