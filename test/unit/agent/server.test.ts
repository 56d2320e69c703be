import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HttpServer } from '../../../agent/server.ts';
import { Tokens } from '../../../agent/tokens.ts';

let server: HttpServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

/** One raw request (a target fetch would normalise); resolves with the status line. */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('no answer within 2 s')));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

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

  it('answers 404 to a target starting with // that is no host, plain or as a WebSocket upgrade, and keeps serving', async () => {
    const base = await start();
    const port = Number(new URL(base).port);

    const plain = await rawRequest(port, 'GET //%E0%A4%A?p HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    const upgrade = await rawRequest(
      port,
      'GET //%E0%A4%A HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );

    expect(plain).toMatch(/^HTTP\/1\.1 404 /);
    expect(upgrade).toMatch(/^HTTP\/1\.1 404 /);
    expect((await fetch(`${base}/api/nothing`)).status).toBe(404);
  });
});
