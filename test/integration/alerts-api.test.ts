// The alert HTTP surface of a running agent with a token configured: /api/alerts, the live
// WebSocket stream (latency, auth, slow consumers), `shipwatch alerts`, and refusals of bad input
// that change nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAlertAgent, type AlertAgentProcess } from '../support/alert-agent-process.ts';
import { egressFinding } from '../support/findings.ts';
import { waitFor } from '../support/wait.ts';
import type { Alert } from '../../alerts/alert.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/shipwatch.js');
const TOKEN = 'test-token-0123456789abcdef';

describe('alert API and live stream of a running agent', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-api-'));
  const tokenFile = path.join(stateDir, 'tokens');
  const journal = path.join(stateDir, 'alerts', 'journal.jsonl');
  let agent: AlertAgentProcess;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    writeFileSync(tokenFile, `soc:${TOKEN}\n`);
    agent = await startAlertAgent({ config: { host: 'test-host', state_dir: stateDir, token_file: tokenFile } });
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await agent?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const connect = (query = `?token=${TOKEN}`) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${agent.baseUrl.replace('http', 'ws')}/api/stream${query}`);
      sockets.push(ws);
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('streams an alert to a WebSocket client within 200 ms of it being journalled', async () => {
    const ws = await connect();
    const received = new Promise<{ alert: Alert; at: number }>((resolve) =>
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { type: string; alert: Alert };
        if (message.type === 'alert') resolve({ alert: message.alert, at: Date.now() });
      }),
    );
    const [alert] = await agent.raise([egressFinding(80)], TOKEN);
    const got = await received;
    expect(got.alert).toEqual(alert);
    // The alert's time is taken just before the journal write, so this bounds journal → client.
    expect(got.at - Date.parse(got.alert.time)).toBeLessThan(200);
    expect(readFileSync(journal, 'utf8')).toContain(got.alert.id);
  });

  it('refuses a stream client without a valid token with 401', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=wrong-token-0123456789')).rejects.toThrow('HTTP 401');
  });

  it('accepts the token as a bearer header on the stream too', async () => {
    const ws = new WebSocket(`${agent.baseUrl.replace('http', 'ws')}/api/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    sockets.push(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  });

  it('lists alerts newest first with filters on GET /api/alerts', async () => {
    const raised = await agent.raise([egressFinding(8080), egressFinding(9000)], TOKEN);
    const body = (await (await fetch(`${agent.baseUrl}/api/alerts?limit=2`)).json()) as { alerts: Alert[] };
    expect(body.alerts.map((a) => a.id)).toEqual([raised[1]?.id, raised[0]?.id]);
    const none = (await (await fetch(`${agent.baseUrl}/api/alerts?rule=new_peer`)).json()) as { alerts: Alert[] };
    expect(none.alerts).toEqual([]);
  });

  it('answers a bad query on GET /api/alerts with 400', async () => {
    const response = await fetch(`${agent.baseUrl}/api/alerts?limit=many`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('prints the journal with `shipwatch alerts`, oldest first, as JSON lines', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'alerts', '--state-dir', stateDir, '--since', '10m']);
    const printed = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Alert);
    const listed = (await (await fetch(`${agent.baseUrl}/api/alerts`)).json()) as { alerts: Alert[] };
    expect(printed.map((a) => a.id)).toEqual(listed.alerts.map((a) => a.id).reverse());
  });

  it('exits 2 with a one-line reason when `shipwatch alerts --since` is not a time', async () => {
    const failed = await run(process.execPath, [BIN, 'alerts', '--state-dir', stateDir, '--since', 'yesterday']).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toBe('shipwatch: --since: expected an ISO time or a duration like 15m, got "yesterday"\n');
  });

  it('follows new alerts with `shipwatch alerts --follow`', async () => {
    const follower = execFile(process.execPath, [BIN, 'alerts', '--state-dir', stateDir, '--follow', '--limit', '1']);
    let out = '';
    follower.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      await waitFor(() => out.includes('\n'), { what: 'the history line' });
      const [alert] = await agent.raise([egressFinding(443)], TOKEN);
      await waitFor(() => alert && out.includes(alert.id), { what: 'the followed alert' });
    } finally {
      follower.kill('SIGTERM');
    }
  });

  describe('bad input changes nothing', () => {
    const raiseRaw = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
      fetch(`${agent.baseUrl}/test/findings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const cases: [string, () => Promise<Response>, number][] = [
      ['malformed JSON', () => raiseRaw('[{"rule": '), 400],
      ['an oversize body', () => raiseRaw(`[${'"x",'.repeat(300_000)}"x"]`), 413],
      ['a missing token', () => raiseRaw(JSON.stringify([egressFinding(1)]), {}), 401],
      [
        'an invalid token',
        () => raiseRaw(JSON.stringify([egressFinding(1)]), { authorization: 'Bearer not-the-token-at-all' }),
        401,
      ],
      ['an unknown route', () => fetch(`${agent.baseUrl}/api/nothing-here`, { method: 'POST' }), 404],
    ];
    for (const [what, send, status] of cases) {
      it(`answers ${what} with ${status} and journals nothing`, async () => {
        const before = readFileSync(journal, 'utf8');
        const response = await send().catch((error: unknown) => ({ status: String(error), json: () => null }) as never);
        expect(response.status).toBe(status);
        expect(readFileSync(journal, 'utf8')).toBe(before);
        expect(await agent.metric('shipwatch_alerts_total')).toBe(before.trim().split('\n').length);
      });
    }
  });
});
