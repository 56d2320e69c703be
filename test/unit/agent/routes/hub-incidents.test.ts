// The hub's GET /api/incidents and /api/incidents/{id} over a real HTTP server, fed alerts as the
// fleet stream holds them (each naming the incident its agent gave it).
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HttpServer } from '../../../../agent/server.ts';
import { Tokens } from '../../../../agent/tokens.ts';
import { registerHubIncidentRoutes } from '../../../../agent/routes/incidents.ts';

let server: HttpServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

const alert = (host: string, id: string, incident: string, name: string) => ({
  id,
  version: 1,
  time: new Date().toISOString(),
  lastSeen: new Date().toISOString(),
  rule: 'suspicious_process',
  severity: 'high',
  summary: `suspicious_process /bin/sh in ${name}`,
  host,
  container: { id: name.padEnd(64, '0'), name, image: 'i:1', workload: 'w' },
  details: { process: { pid: 1, ppid: 0, exe: '/bin/sh', cmdline: 'sh', uid: 0 } },
  mitre: { tactic: 'execution', technique: 'T1059' },
  tags: [],
  count: 1,
  incident,
});

async function start(alerts: unknown[]): Promise<string> {
  server = new HttpServer({ listen: '127.0.0.1:0', tokens: new Tokens([]), tls: null, log: pino({ level: 'silent' }) });
  registerHubIncidentRoutes(server, () => alerts, { gap: 300_000, max_alerts: 200 });
  const { port } = await server.listen();
  return `http://127.0.0.1:${port}`;
}

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("the hub's incident routes", () => {
  it('lists each host’s incidents with their host, and host= keeps one host', async () => {
    const base = await start([
      alert('a', 'x1', 'i1', 'web'),
      alert('b', 'x2', 'i2', 'db'),
      alert('a', 'x3', 'i1', 'web'),
    ]);
    const all = (await get(`${base}/api/incidents`)).body.incidents as { host: string; alertCount: number }[];
    expect(all.map((i) => [i.host, i.alertCount]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    const onB = (await get(`${base}/api/incidents?host=b`)).body.incidents as { id: string; host: string }[];
    expect(onB.map((i) => [i.host, i.id])).toEqual([['b', 'i2']]);
    expect((await get(`${base}/api/incidents?limit=0`)).status).toBe(400);
  });

  it('answers one incident by id, 404 for none, and 409 when two hosts hold the id unless host= picks one', async () => {
    const base = await start([
      alert('a', 'x1', 'i1', 'web'),
      alert('b', 'x2', 'i1', 'db'),
      alert('a', 'x3', 'i9', 'web'),
    ]);
    expect((await get(`${base}/api/incidents/i9`)).body).toMatchObject({ id: 'i9', host: 'a', alertCount: 1 });
    expect((await get(`${base}/api/incidents/nope`)).status).toBe(404);
    const ambiguous = await get(`${base}/api/incidents/i1`);
    expect(ambiguous.status).toBe(409);
    expect((await get(`${base}/api/incidents/i1?host=b`)).body).toMatchObject({ id: 'i1', host: 'b' });
  });
});
