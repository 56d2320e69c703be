import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HttpServer } from '../../../agent/server.ts';
import { Tokens } from '../../../agent/tokens.ts';

let server: HttpServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(): Promise<string> {
  server = new HttpServer({ listen: '127.0.0.1:0', tokens: new Tokens([]), tls: null, log: pino({ level: 'silent' }) });
  server.upgrade('/api/stream', (_req, socket) => socket.destroy());
  const { port } = await server.listen();
  return `http://127.0.0.1:${port}`;
}

describe('the HTTP server', () => {
  it('answers 426 naming WebSocket when a WebSocket endpoint is opened as a plain request', async () => {
    const base = await start();

    const response = await fetch(`${base}/api/stream`);

    expect(response.status).toBe(426);
    expect(response.headers.get('upgrade')).toBe('websocket');
    expect(await response.json()).toEqual({
      error: { code: 'upgrade_required', message: '/api/stream is a WebSocket endpoint' },
    });
  });

  it('still answers 404 for a path nothing serves', async () => {
    const base = await start();

    const response = await fetch(`${base}/api/nothing`);

    expect(response.status).toBe(404);
  });
});
