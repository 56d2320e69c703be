import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaselineStore } from '../../../../agent/baseline-store.ts';
import { newBaseline } from '../../../../detectors/baseline.ts';
import { LOCK_FILE, processStartTime } from '../../../../agent/state-lock.ts';

const BIN = path.resolve(import.meta.dirname, '../../../../bin/shipwatch.js');

function shipwatch(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    input,
    env: { ...process.env, SHIPWATCH_STATE_DIR: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stateWithApi() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-cli-baseline-'));
  const b = newBaseline('shop/api', 0, 0);
  b.mode = 'learned';
  b.executables.push('/usr/local/bin/api');
  new BaselineStore(dir).save(b);
  return dir;
}

describe('shipwatch baseline', () => {
  it('shows every workload with its state and counts', () => {
    const dir = stateWithApi();
    const result = shipwatch(['baseline', 'show', '--state-dir', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('shop/api\tmonitoring\tlearned\tegress=0 peers=0 executables=1 paths=0\n');
  });

  it('exports YAML that, edited and imported, replaces the baseline', () => {
    const dir = stateWithApi();
    const exported = shipwatch(['baseline', 'export', 'shop/api', '--state-dir', dir]);
    expect(exported.status).toBe(0);
    const edited = exported.stdout.replace('- /usr/local/bin/api', '- /usr/local/bin/api\n  - /usr/local/bin/worker');
    const file = path.join(dir, 'edited.yaml');
    writeFileSync(file, edited);
    expect(shipwatch(['baseline', 'import', '--file', file, '--state-dir', dir]).stdout).toBe('imported shop/api\n');
    expect(new BaselineStore(dir).load('shop/api')?.executables).toEqual([
      '/usr/local/bin/api',
      '/usr/local/bin/worker',
    ]);
  });

  it('imports from stdin and exits 2 naming the bad key of invalid YAML', () => {
    const dir = stateWithApi();
    expect(shipwatch(['baseline', 'import', '--state-dir', dir], 'workload: shop/web\n').status).toBe(0);
    const bad = shipwatch(['baseline', 'import', '--state-dir', dir], 'workload: shop/web\npeers: [{ port: 1 }]\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('peers');
  });

  it('resets one workload so it learns again, and exits 2 for an unknown one', () => {
    const dir = stateWithApi();
    expect(shipwatch(['baseline', 'reset', 'shop/api', '--state-dir', dir]).stdout).toBe('reset shop/api\n');
    expect(new BaselineStore(dir).load('shop/api')).toBeNull();
    expect(shipwatch(['baseline', 'reset', 'shop/api', '--state-dir', dir]).status).toBe(2);
  });

  it('holds the state directory lock while it writes, and leaves none behind', () => {
    const dir = stateWithApi();
    expect(shipwatch(['baseline', 'reset', 'shop/api', '--state-dir', dir]).status).toBe(0);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses to import, exit 2 naming the pid, while a process that serves no API holds the directory', () => {
    const dir = stateWithApi();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = holder.pid ?? 0;
      writeFileSync(
        path.join(dir, LOCK_FILE),
        JSON.stringify({ pid, startTime: processStartTime(pid), command: 'run --pcap', since: '' }),
      );
      const result = shipwatch(['baseline', 'import', '--state-dir', dir], 'workload: shop/web\n');
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${dir} is in use by another shipwatch process (pid ${pid}, run --pcap)`);
      expect(new BaselineStore(dir).load('shop/web')).toBeNull();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
