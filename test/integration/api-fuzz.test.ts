// Every HTTP endpoint of the real agent, fuzzed: the paths come from the agent's own OpenAPI
// document (so a route added later is fuzzed too), each path parameter replaced by hostile text
// (dot segments, encoded slashes and NULs, broken percent-escapes, 4 KB ids, control characters),
// queries with the same, and bodies that are malformed JSON, deep nesting, wrong types or 2 MB.
// Every answer must be a normal answer or a 4xx with a JSON error: never a 5xx, a hang or a dead
// agent. Unit tests fuzz single route files (test/unit/fuzz/http.fuzz.test.ts); this one fuzzes
// the agent as it runs, every route registered.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('..', '../..', '%2e%2e%2f%2e%2e', '%2F', '%00', '%', '%zz', '%c0%af', '\u0000', '\u202e'),
  fc.constantFrom('a'.repeat(4096), '<script>alert(1)</script>', '{"a":1}', '-1', '1e309', 'NaN'),
);
const segment = hostileText.map((text) => (/%/.test(text) ? text : encodeURIComponent(text)));

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom('{', '{"reason":', 'null', '[]', '"text"', '{"reason": 12, "pause": "yes"}', deep(5000)),
  fc.constant(`{"reason":"${'x'.repeat(2 * 1024 * 1024)}"}`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ state: 'learned', egress: v, peers: v })),
);

describe('every endpoint of the real agent, fuzzed', () => {
  let agent: AgentProcess;
  let routes: { method: string; path: string }[] = [];

  beforeAll(async () => {
    agent = await startAgent();
    const doc = (await (await fetch(`${agent.baseUrl}/api/openapi.json`)).json()) as OpenApi;
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );
  });

  afterAll(async () => {
    await agent?.stop();
  });

  it('answers every route, whatever its ids, queries and bodies, with no 5xx and no hang', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const statuses = new Map<number, number>();
    for (const route of routes) {
      if (route.path === '/api/stream') continue; // a WebSocket upgrade: fuzzed in test/unit/agent/routes/stream.test.ts
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 3, maxLength: 3 }),
          fc.dictionary(
            fc.constantFrom('since', 'limit', 'rule', 'container', 'workload', 'dst', 'state', 'host'),
            hostileText,
          ),
          body,
          async (ids, query, payload) => {
            let n = 0;
            // An id for isolate/release starts with ~, which no container name or id holds: the
            // fuzz must never cut off a container of the shared daemon.
            const guard = /isolate|release/.test(route.path) ? '~' : '';
            const path = route.path.replace(/\{[^}]+\}/g, () => guard + (ids[n++ % ids.length] ?? 'x'));
            const search = new URLSearchParams(query).toString();
            const url = `${agent.baseUrl}${path}${search ? `?${search}` : ''}`;
            const response = await fetch(url, {
              method: route.method,
              headers: payload === undefined ? {} : { 'content-type': 'application/json' },
              body: route.method === 'GET' || payload === undefined ? undefined : payload,
              signal: AbortSignal.timeout(5000),
            }).catch((error: unknown) => {
              const said = [...agent.stderr, ...agent.logs.slice(-5).map((l) => JSON.stringify(l))].join('\n');
              throw new Error(
                `${route.method} ${url.slice(0, 300)} (body ${String(payload).slice(0, 200)}): ${String(error)}; agent exit ${agent.child.exitCode}; it said:\n${said.slice(-3000)}`,
              );
            });
            const text = await response.text();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status >= 500)
              throw new Error(`${route.method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
            if (response.status >= 400) expect(JSON.parse(text)).toHaveProperty('error');
          },
        ),
        { numRuns: 12, seed: 20261202 },
      );
    }
    console.log(`fuzzed ${routes.length} routes; statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    const health = await fetch(`${agent.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    expect(health.status).toBeLessThan(500);
    expect(agent.child.exitCode).toBeNull();
  }, 180_000);
});
