import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOCK_FILE,
  lockStateDir,
  processStartTime,
  tryLockStateDir,
  type LockHolder,
} from '../../../agent/state-lock.ts';
import { ShipwatchError } from '../../../core/errors.ts';

const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));

function stateDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sw-lock-'));
}

function writeLock(dir: string, holder: Partial<LockHolder>): void {
  writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ command: 'run', since: '2026-11-23T04:00:00Z', ...holder }),
  );
}

function liveProcess(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid ?? 0;
}

async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('state directory lock', () => {
  it('takes a free directory and names this process in the lock file', async () => {
    const dir = stateDir();
    const lock = await lockStateDir(dir, 'run', () => undefined);
    const holder = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, command: 'run', startTime: processStartTime(process.pid) });
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while a live process holds it, naming the directory and its pid', async () => {
    const dir = stateDir();
    const pid = liveProcess();
    writeLock(dir, { pid, startTime: processStartTime(pid) });
    const error = await lockStateDir(dir, 'run', () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShipwatchError);
    expect((error as ShipwatchError).exitCode).toBe(2);
    expect((error as ShipwatchError).message).toContain(dir);
    expect((error as ShipwatchError).message).toContain(`pid ${pid}`);
  });

  it('takes over the lock of a process that is gone and reports who it was', async () => {
    const dir = stateDir();
    const pid = await deadPid();
    writeLock(dir, { pid, startTime: 1 });
    const dead: LockHolder[] = [];
    const lock = await lockStateDir(dir, 'run', (holder) => dead.push(holder));
    expect(dead.map((h) => h.pid)).toEqual([pid]);
    expect(lock.holder.pid).toBe(process.pid);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('treats a live pid with another start time as a reused pid, not the holder', async () => {
    const dir = stateDir();
    const pid = liveProcess();
    writeLock(dir, { pid, startTime: (processStartTime(pid) ?? 0) + 1 });
    const attempt = await tryLockStateDir(dir, 'run');
    expect('lock' in attempt && attempt.tookOver?.pid).toBe(pid);
  });

  it('takes over a lock file that holds no pid', async () => {
    const dir = stateDir();
    writeFileSync(path.join(dir, LOCK_FILE), '');
    const attempt = await tryLockStateDir(dir, 'run');
    expect('lock' in attempt).toBe(true);
  });

  it('names the holder, with its published API address, to a second attempt', async () => {
    const dir = stateDir();
    const lock = await lockStateDir(dir, 'run', () => undefined);
    lock.publish('http://127.0.0.1:9477');
    const second = await tryLockStateDir(dir, 'baseline import');
    expect('holder' in second && second.holder).toMatchObject({ pid: process.pid, api: 'http://127.0.0.1:9477' });
  });

  it('writes its lock again when the file is gone, as on a state directory mounted anew', async () => {
    const dir = stateDir();
    const lock = await lockStateDir(dir, 'run', () => undefined);
    lock.publish('http://127.0.0.1:9477');
    expect(lock.reassert()).toBe('held');
    rmSync(lock.file);
    expect(lock.reassert()).toBe('restored');
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({
      pid: process.pid,
      api: 'http://127.0.0.1:9477',
    });
    const second = await tryLockStateDir(dir, 'run');
    expect('holder' in second && second.holder.pid).toBe(process.pid);
  });

  it('names the live process that took the lock meanwhile, and leaves its file alone', async () => {
    const dir = stateDir();
    const lock = await lockStateDir(dir, 'run', () => undefined);
    const pid = liveProcess();
    writeLock(dir, { pid, startTime: processStartTime(pid) });
    const result = lock.reassert();
    expect(typeof result === 'object' && result.holder.pid).toBe(pid);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid });
  });

  it('leaves a lock it does not hold in place on release', async () => {
    const dir = stateDir();
    const lock = await lockStateDir(dir, 'run', () => undefined);
    const pid = liveProcess();
    writeLock(dir, { pid, startTime: processStartTime(pid) });
    lock.release();
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid });
  });

  it('ends the start with SW_STATE_UNWRITABLE, in one line, when the directory cannot be written', async () => {
    const file = path.join(stateDir(), 'not-a-directory');
    writeFileSync(file, '');
    const attempt = tryLockStateDir(path.join(file, 'state'), 'run');
    await expect(attempt).rejects.toBeInstanceOf(ShipwatchError);
    const error = (await attempt.catch((e: unknown) => e)) as ShipwatchError;
    expect(error.code).toBe('SW_STATE_UNWRITABLE');
    expect(error.message).toMatch(/ENOTDIR/);
  });
});
