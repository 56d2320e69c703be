// isolate/release --json against a stub agent on loopback: the agent's answer, one JSON object.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../../../bin/shipwatch.js');
const RECORD = { name: 'web-1', networks: [{ name: 'shop_front' }], paused: false };

let server: http.Server;
let listen = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/containers/web-1/isolate') {
      res.end(JSON.stringify({ changed: true, record: RECORD, warnings: ['address not pinned'] }));
    } else if (req.url === '/api/containers/web-1/release') {
      res.statusCode = 409;
      res.end(JSON.stringify({ error: { code: 'conflict', message: 'web-1 is not isolated' } }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listen = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function shipwatch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('isolate and release --json', { timeout: 30_000 }, () => {
  it('prints the agent answer as one JSON object, warnings inside it', async () => {
    const result = await shipwatch('isolate', 'web-1', '--listen', listen, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({ changed: true, record: RECORD, warnings: ['address not pinned'] });
    expect(result.stderr).toBe('');
  });

  it("prints the agent's error object and exits 1 when it refuses", async () => {
    const result = await shipwatch('release', 'web-1', '--listen', listen, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'conflict', message: 'web-1 is not isolated' } });
    expect(result.stderr.trim()).toBe('shipwatch: web-1 is not isolated');
  });

  it('keeps the text line without --json', async () => {
    const result = await shipwatch('isolate', 'web-1', '--listen', listen);
    expect(result.stdout).toBe('isolated web-1 (was on shop_front)\n');
    expect(result.stderr).toBe('warning: address not pinned\n');
  });
});
