// One agent per state directory, with real agent processes: a second `shipwatch run` on the same
// directory is refused; the lock of an agent killed with -9 is taken over by the next one.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runShipwatch, startAgent, type AgentProcess } from '../support/agent-process.ts';
import { DOCKER_HOST } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const agents: AgentProcess[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

async function agent(args: string[] = []): Promise<AgentProcess> {
  const started = await startAgent(args);
  agents.push(started);
  return started;
}

describe('state directory lock', () => {
  it('refuses a second agent on the same state directory with exit 2, naming the directory and the pid', async () => {
    const first = await agent();
    const second = await runShipwatch([
      'run',
      '--docker-host',
      DOCKER_HOST,
      '--listen',
      '127.0.0.1:0',
      '--state-dir',
      first.stateDir,
    ]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `state directory ${first.stateDir} is in use by another shipwatch process (pid ${first.child.pid}`,
      ),
    ]);
    expect(first.child.exitCode).toBeNull();
  });

  it('publishes the API address in the lock and removes the lock on a clean shutdown', async () => {
    const first = await agent();
    const file = path.join(first.stateDir, 'shipwatch.lock');
    // Published right after the 'listening' log line the harness waits for.
    const holder = await waitFor(
      () => {
        const h = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; api?: string };
        return h.api && h;
      },
      { what: 'the API address in the lock' },
    );
    expect(holder).toMatchObject({ pid: first.child.pid, api: first.baseUrl });
    expect(await first.stop()).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('takes over the lock of an agent killed with -9, with a warning naming its pid', async () => {
    const first = await agent();
    const deadPid = first.child.pid;
    first.child.kill('SIGKILL');
    await waitFor(() => first.child.signalCode === 'SIGKILL', { what: 'the first agent to die' });
    expect(existsSync(path.join(first.stateDir, 'shipwatch.lock'))).toBe(true);

    const next = await agent(['--state-dir', first.stateDir]);

    const warning = next.logs.find((l) => l.level === 40 && String(l.msg).includes('taken over'));
    expect(warning).toMatchObject({ pid: deadPid, dir: first.stateDir });
    expect(JSON.parse(readFileSync(path.join(first.stateDir, 'shipwatch.lock'), 'utf8'))).toMatchObject({
      pid: next.child.pid,
    });
  });
});
