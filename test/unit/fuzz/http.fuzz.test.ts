// Property-based fuzzing of the HTTP API over a real socket: arbitrary paths (percent-encoding
// that does not decode, dot segments, NULs, encoded slashes), methods and bodies (malformed JSON,
// deep nesting, huge) → a 4xx JSON error or a normal answer, never a 500, a hang or a file written
// outside the baselines folder.
import fc from 'fast-check';
import { mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../alerts/journal.ts';
import { validateConfig } from '../../../agent/config.ts';
import { Detection } from '../../../agent/detection.ts';
import { registerAlertRoutes } from '../../../agent/routes/alerts.ts';
import { registerBaselineRoutes } from '../../../agent/routes/baselines.ts';
import { registerContainerRoutes } from '../../../agent/routes/containers.ts';
import { registerSuppressionRoutes } from '../../../agent/routes/suppressions.ts';
import { HttpServer } from '../../../agent/server.ts';
import { Tokens } from '../../../agent/tokens.ts';
import { Inventory } from '../../../collector/inventory.ts';
import { T0 } from '../../fixtures/events.ts';

const TOKEN = 'fuzz-token-0123456789abcdef';
const log = pino({ level: 'silent' });
let server: HttpServer;
let base = '';
let stateDir = '';

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'sw-fuzz-http-'));
  const config = validateConfig({ state_dir: stateDir }, 'test');
  const inventory = new Inventory();
  const detection = new Detection({ config, inventory, log, onFinding: () => undefined, clock: () => T0 });
  server = new HttpServer({ listen: '127.0.0.1:0', tokens: new Tokens([['fuzz', TOKEN]]), tls: null, log });
  registerAlertRoutes(server, new Journal({ stateDir }));
  registerContainerRoutes(server, inventory, () => 'monitoring');
  registerBaselineRoutes(server, detection);
  registerSuppressionRoutes(server, detection.runner);
  const { port } = await server.listen();
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.close();
});

async function send(
  method: string,
  pathAndQuery: string,
  body?: string | Buffer,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(base + pathAndQuery, {
    method,
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body ?? []),
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

/** Path segments an attacker would try: dot segments, encoded slashes and NULs, broken escapes, long names. */
const segment = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '%2F', '%00', '%', '%zz', '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', 'shop', 'api'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.integer({ min: 200, max: 5000 }).map((n) => 'w'.repeat(n)),
);
const apiPath = fc
  .tuple(
    fc.constantFrom('/api/baselines', '/api/containers', '/api/alerts', '/api/suppressions', '/api'),
    fc.array(segment, { maxLength: 3 }),
    fc.string({ maxLength: 20 }),
  )
  .map(
    ([root, parts, query]) =>
      `${root}${parts.map((p) => `/${p}`).join('')}${query ? `?${encodeURIComponent(query).replace(/%3D/g, '=')}` : ''}`,
  );
const body = fc.oneof(
  fc.json(),
  fc.string({ maxLength: 200 }),
  fc.constant('{"workload":'),
  fc.integer({ min: 1000, max: 100_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1000, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ workload: 'shop/api', egress: [v], executables: v })),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(stateDir, path.join(e.parentPath, e.name)));
}

describe('HTTP API under fuzzing', () => {
  it('answers any method, path and body with a status below 500, and writes only inside baselines/', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'), apiPath, body, async (method, p, b) => {
        const { status, json } = await send(method, p, b);
        expect(status, `${method} ${p.slice(0, 120)}`).toBeLessThan(500);
        if (status >= 400) expect(typeof (json as { error?: { code?: unknown } }).error?.code).toBe('string');
      }),
      { numRuns: 150, interruptAfterTimeLimit: 20_000 },
    );
    for (const file of filesUnder(stateDir)) expect(file).toMatch(/^(baselines|alerts)\//);
  }, 60_000);

  it('stores a baseline under any workload name (dot segments, slashes, NULs, 5000 characters) inside baselines/ or refuses it with a 400', async () => {
    for (const workload of ['..', '../../etc', 'a/../../b', '.', 'x\u0000y', 'w'.repeat(5000), '\u001b[31mred']) {
      const { status } = await send(
        'PUT',
        `/api/baselines/${encodeURIComponent(workload)}`,
        JSON.stringify({ workload }),
      );
      expect([200, 400, 404], workload.slice(0, 20)).toContain(status);
    }
    for (const file of filesUnder(stateDir)) expect(file).toMatch(/^(baselines|alerts)\/[^/]+$/);
  });

  it('refuses a body over the limit with a 413 the client gets to read', async () => {
    const { status, json } = await send('PUT', '/api/baselines/shop%2Fapi', Buffer.alloc(5 * 1024 * 1024, 0x5b));
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses a chunked body (no length said) once it passes the limit, and the client still reads the 413', async () => {
    const { port } = new URL(base);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { port, method: 'PUT', path: '/api/baselines/shop%2Fapi', headers: { authorization: `Bearer ${TOKEN}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // 3 MiB in 64 KiB chunks, sent as the server reads them: the refusal comes mid-upload.
      const chunk = Buffer.alloc(64 * 1024, 0x5b);
      let sent = 0;
      const more = (): void => {
        while (sent < 48) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', more);
        }
        req.end();
      };
      more();
    });
    expect(status).toBe(413);
    // And the server goes on answering.
    expect((await send('GET', '/api/baselines')).status).toBe(200);
  });
});
