// GET /api/stream moved from alerts/ to agent/routes/stream.ts; this proves the route still hands
// upgrades to the LiveStream, over a loopback socket (no Docker needed).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HttpServer } from '../../../../agent/server.ts';
import { Tokens } from '../../../../agent/tokens.ts';
import { registerStreamRoutes } from '../../../../agent/routes/stream.ts';
import { LiveStream } from '../../../../alerts/stream.ts';
import { createLogger } from '../../../../core/logger.ts';
import { waitFor } from '../../../support/wait.ts';

const log = createLogger('silent', false);
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('GET /api/stream', () => {
  it('sends a broadcast alert to a WebSocket client connected through the route', async () => {
    const server = new HttpServer({ listen: '127.0.0.1:0', tokens: new Tokens([]), tls: null, log });
    const stream = new LiveStream({ log });
    registerStreamRoutes(server, stream);
    const { port } = await server.listen();
    cleanup.push(() => server.close());
    cleanup.push(() => stream.close());
    const client = new WebSocket(`ws://127.0.0.1:${port}/api/stream`);
    cleanup.push(() => client.close());
    const received = new Promise<unknown>((resolve) =>
      client.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
    );
    await waitFor(() => stream.clients === 1, { what: 'the client to be served' });

    stream.broadcast('alert', { alert: { id: 'a1' } });

    expect(await received).toEqual({ type: 'alert', alert: { id: 'a1' } });
  });
});
