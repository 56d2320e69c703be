// Fault: the state directory fills up (a 4 MB tmpfs of the test's own), on the real agent with a
// real container raising real alerts. While it is full: /healthz says journal degraded, the alert
// still reaches stdout (the error line carries every field), detection goes on. When space
// returns, journalling and delivery resume by themselves, the refused alert is journalled and
// delivered after all, and the journal holds whole lines only.
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { accountAlerts } from '../support/alert-accounting.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';
import { WebhookReceiver, freePort } from '../support/webhook-receiver.ts';

const run = promisify(execFile);

interface Journalled {
  id: string;
  rule: string;
  summary: string;
}

describe('the state directory full', () => {
  const name = uniqueName('full');
  const mount = mkdtempSync(path.join(tmpdir(), 'sw-full-'));
  const stateDir = path.join(mount, 'state');
  const configDir = mkdtempSync(path.join(tmpdir(), 'sw-full-config-'));
  const filler = path.join(mount, 'filler');
  let mounted = false;
  let agent: AgentProcess;
  let receiver: WebhookReceiver;

  const health = async () =>
    ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as { sources: Record<string, { state: string }> })
      .sources;
  const execAlerts = () =>
    agent.logs.filter(
      (l) => (l.msg === 'alert' || l.msg === 'alert journal write failed') && l.rule === 'interactive_exec',
    );
  const journal = (): Journalled[] =>
    readFileSync(path.join(stateDir, 'alerts', 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Journalled); // throws on a torn line: whole lines only
  const raise = async (marker: string) => {
    await docker('exec', name, 'sh', '-c', `true ${marker}`);
    const line = await waitFor(() => execAlerts().find((l) => String(l.summary).includes(marker)), {
      timeout: 15_000,
      what: `the alert for ${marker} on stdout`,
    });
    return { id: String(line.id), msg: String(line.msg) };
  };

  beforeAll(async () => {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
    mounted = true;
    receiver = new WebhookReceiver(await freePort(), 'full-secret-for-tests-0123');
    await receiver.start();
    const config = path.join(configDir, 'shipwatch.yaml');
    writeFileSync(
      config,
      `webhooks: [{url: "${receiver.url}", secret: "full-secret-for-tests-0123"}]\ndelivery: {retry_min: 200ms, retry_max: 1s}\n`,
    );
    await runContainer(name);
    agent = await startAgent(['--config', config, '--state-dir', stateDir]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await removeContainers(name);
    if (mounted) await run('umount', ['-l', mount]);
    rmSync(configDir, { recursive: true, force: true });
  });

  it('keeps detecting and logging while full, says so in /healthz, and resumes journalling when space returns', async () => {
    const before = await raise('before-full');
    await waitFor(() => receiver.accepted.some((r) => r.id === before.id), { timeout: 15_000, what: 'delivery' });

    // Fill every last block: a write that fails is the signal the disk is full.
    const fd = openSync(filler, 'w');
    try {
      for (const chunk = Buffer.alloc(64 * 1024, 1); ;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    // The journal's last page may still hold a line or two: raise until one is refused (bounded).
    const whileFull: { id: string; msg: string }[] = [];
    for (let i = 0; i < 12 && !whileFull.some((a) => a.msg !== 'alert'); i++)
      whileFull.push(await raise(`while-full-${i}`));
    const during = whileFull.at(-1)!;
    expect(during.msg).toBe('alert journal write failed');
    await waitFor(async () => (await health()).journal?.state === 'degraded', { what: 'journal degraded' });
    expect(agent.child.exitCode).toBeNull();

    rmSync(filler);
    const after = await raise('after-space');
    expect(after.msg).toBe('alert');
    const ids = [before, ...whileFull, after].map((a) => a.id);
    await waitFor(() => ids.every((id) => receiver.accepted.some((r) => r.id === id)), {
      timeout: 15_000,
      what: 'delivery of every alert, the refused one too',
    });
    expect((await health()).journal?.state).toBe('up');

    const books = accountAlerts(stateDir, agent.logs, { webhook: receiver.accepted.map((r) => r.id) });
    console.log(
      `state dir full: ${books.line}; the one refused while full went to stdout at once and was journalled and delivered when space returned`,
    );
    expect([...new Set(journal().map((a) => a.id))].filter((id) => ids.includes(id))).toEqual(ids);
    expect(books.journalled).toEqual(books.raised);
    expect(books.deliveredOnce.webhook).toEqual(books.raised);
    expect(books.duplicates.webhook).toEqual([]);
  });
});
