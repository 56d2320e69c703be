// The OpenAPI document against the routes the agent really registers (both ways) and against the
// error body the server really sends.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../../alerts/metrics.ts';
import { Inventory } from '../../../../collector/inventory.ts';
import { Health } from '../../../../core/health.ts';
import { registerRoutes, type RouteParts } from '../../../../agent/routes/index.ts';
import { HttpServer } from '../../../../agent/server.ts';
import { Tokens } from '../../../../agent/tokens.ts';
import { checkJsonSchema } from '../../../support/json-schema-check.ts';

type Operation = { responses: Record<string, { $ref?: string; content?: unknown }>; security?: unknown };
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

let server: HttpServer;
let base = '';
let doc: OpenApi;

beforeAll(async () => {
  server = new HttpServer({
    listen: '127.0.0.1:0',
    tokens: new Tokens([['ops', 'a-token-of-16-chars-or-more']]),
    tls: null,
    log: pino({ level: 'silent' }),
  });
  // Only the parts a request below reaches are real; registration itself touches none of the rest.
  const parts = {
    health: new Health(),
    metrics: new Metrics(),
    inventory: new Inventory(),
    stateOf: () => 'monitoring',
    detection: { runner: {} },
    journal: { query: () => [] },
    incidents: { query: () => [] },
    forensics: { timelines: {}, flowHistory: {} },
  } as unknown as RouteParts;
  registerRoutes(server, parts);
  base = `http://127.0.0.1:${(await server.listen()).port}`;
  doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApi;
});

afterAll(() => server?.close());

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );
const openApiPath = (path: string) => path.replace(/:([a-zA-Z]+)/g, '{$1}');

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every registered route, and nothing that is not registered', () => {
    const registered = server.registered().map((r) => `${r.method} ${openApiPath(r.path)}`);
    const documented = operations().map((o) => o.key);
    expect([...documented].sort()).toEqual([...new Set(registered)].sort());
  });

  it('marks exactly the mutating routes as needing the bearer token, with a 401', () => {
    const mutating = server
      .registered()
      .filter((r) => r.mutating)
      .map((r) => `${r.method} ${openApiPath(r.path)}`);
    const secured = operations()
      .filter((o) => o.op.security !== undefined)
      .map((o) => o.key);
    expect(secured.sort()).toEqual(mutating.sort());
    for (const o of operations().filter((x) => x.op.security)) expect(o.op.responses['401'], o.key).toBeDefined();
  });

  it('gives every error response the documented error shape', () => {
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || (status === '401' && key === 'GET /api/stream')) continue;
        expect(response.$ref, `${key} ${status}`).toBe('#/components/responses/Error');
      }
    }
  });

  it.each([
    ['an unknown path', '/api/nothing', {}, 404],
    ['an unknown container', '/api/containers/nope', {}, 404],
    ['a bad query parameter', '/api/alerts?limit=0', {}, 400],
    ['a wrong method', '/healthz', { method: 'DELETE' }, 405],
    ['a mutating route without a token', '/api/containers/x/isolate', { method: 'POST' }, 401],
    ['a WebSocket endpoint as a plain request', '/api/stream', {}, 426],
  ] as const)('answers %s with a body of the Error schema', async (_, path, init, status) => {
    const response = await fetch(`${base}${path}`, init);
    expect(response.status).toBe(status);
    const body = (await response.json()) as unknown;
    expect(checkJsonSchema(doc.components.schemas.Error ?? false, body)).toEqual([]);
  });
});
