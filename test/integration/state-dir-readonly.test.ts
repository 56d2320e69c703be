// Fault (issue 16): the state directory turns read-only under the running agent — its ext4 file
// system remounted read-only by the kernel after an error, as a failing disk does — with a real
// container raising real alerts and a real webhook receiver. While it is read-only: /healthz says
// journal degraded, every alert reaches stdout at once, detection goes on, the agent neither
// crashes nor hangs. When the operator has mounted it again, the alerts refused meanwhile are
// journalled and delivered after all, and nothing is lost or delivered twice.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockHolder } from '../../agent/state-lock.ts';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { accountAlerts, journalledIds } from '../support/alert-accounting.ts';
import { Ext4Image } from '../support/ext4-image.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';
import { WebhookReceiver, freePort } from '../support/webhook-receiver.ts';

describe('the state directory read-only', () => {
  const name = uniqueName('rofs');
  const disk = new Ext4Image();
  const stateDir = path.join(disk.mountPoint, 'state');
  const configDir = mkdtempSync(path.join(tmpdir(), 'sw-rofs-config-'));
  const secret = 'rofs-secret-for-tests-0123';
  let agent: AgentProcess;
  let receiver: WebhookReceiver;

  const sources = async () =>
    ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as { sources: Record<string, { state: string }> })
      .sources;
  const journalState = async () => (await sources()).journal?.state;
  const execAlerts = () =>
    agent.logs.filter(
      (l) => (l.msg === 'alert' || l.msg === 'alert journal write failed') && l.rule === 'interactive_exec',
    );
  /** docker exec → interactive_exec; resolves with its first line on stdout. */
  const raise = async (marker: string) => {
    await docker('exec', name, 'sh', '-c', `true ${marker}`);
    const line = await waitFor(() => execAlerts().find((l) => String(l.summary).includes(marker)), {
      timeout: 15_000,
      what: `the alert for ${marker} on stdout`,
    });
    return { id: String(line.id), msg: String(line.msg) };
  };
  const delivered = (id: string) => receiver.accepted.some((r) => r.id === id);

  beforeAll(async () => {
    await disk.create();
    receiver = new WebhookReceiver(await freePort(), secret);
    await receiver.start();
    const config = path.join(configDir, 'shipwatch.yaml');
    writeFileSync(
      config,
      `webhooks: [{url: "${receiver.url}", secret: "${secret}"}]\ndelivery: {retry_min: 200ms, retry_max: 1s}\n`,
    );
    await runContainer(name);
    agent = await startAgent(['--config', config, '--state-dir', stateDir]);
    // Subscribed to Docker's events before the first docker exec, or its alert never comes.
    await waitFor(async () => (await sources()).docker?.state === 'up', { timeout: 30_000, what: 'docker up' });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await removeContainers(name);
    await disk.destroy();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('keeps detecting and logging while read-only, and journals and delivers everything once it is writable again', async () => {
    const started = Date.now();
    const before = await raise('before-ro');
    expect(before.msg).toBe('alert');
    await waitFor(() => delivered(before.id), { timeout: 15_000, what: 'delivery before' });

    disk.failReadOnly();
    expect(() => writeFileSync(path.join(stateDir, 'probe'), 'x')).toThrow(/EROFS/);
    const whileRo = [await raise('while-ro-1'), await raise('while-ro-2'), await raise('while-ro-3')];
    expect(whileRo.map((a) => a.msg)).toEqual(Array(3).fill('alert journal write failed'));
    await waitFor(async () => (await journalState()) === 'degraded', { what: 'journal degraded' });
    const refused = agent.logs.find((l) => l.msg === 'alert journal write failed');
    const reason = String((refused?.err as { message?: string } | undefined)?.message);
    console.log(
      `while read-only: "alert journal write failed" (${reason}) for ${String(refused?.rule)} ${String(refused?.id)}`,
    );
    expect(reason).toContain('EROFS');
    expect(whileRo.some((a) => delivered(a.id))).toBe(false);
    expect(agent.child.exitCode).toBeNull();

    await disk.repair();
    const after = await raise('after-rw');
    expect(after.msg).toBe('alert');
    const ours = [before, ...whileRo, after].map((a) => a.id);
    await waitFor(() => ours.every(delivered), { timeout: 30_000, what: 'every alert delivered' });
    await waitFor(async () => (await journalState()) === 'up', { timeout: 10_000, what: 'journal up again' });
    // The mount is new: the agent holds its lock there too, so a second agent cannot start on it.
    await waitFor(() => lockHolder(stateDir)?.pid === agent.child.pid, { timeout: 10_000, what: 'the lock held' });
    const lockLine = agent.logs.find((l) => String(l.msg).startsWith('state directory lock file was gone'));
    console.log(`after the new mount: lock held by the agent (${lockLine ? 'written again' : 'still there'})`);

    const complaints = new Map<string, number>();
    for (const l of agent.logs.filter((l) => Number(l.level) >= 40)) {
      complaints.set(String(l.msg), (complaints.get(String(l.msg)) ?? 0) + 1);
    }
    console.log(`warnings and errors logged: ${JSON.stringify(Object.fromEntries(complaints))}`);
    const books = accountAlerts(stateDir, agent.logs, { webhook: receiver.accepted.map((r) => r.id) });
    console.log(`state dir read-only: ${books.line}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(journalledIds(stateDir).filter((id) => ours.includes(id))).toEqual(ours);
    expect(books.journalled).toEqual(books.raised);
    expect(books.deliveredOnce.webhook).toEqual(books.raised);
    expect(books.duplicates.webhook).toEqual([]);
    expect(agent.child.exitCode).toBeNull();
  });
});
