import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../../../bin/shipwatch.js');

function shipwatch(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('shipwatch command line', () => {
  it('exits 2 with one line naming the bad key when a config file is invalid', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:9477\nstats_interval: often\n');
    const result = shipwatch('check-config', file);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('stats_interval: expected a duration');
  });

  it('exits 0 and prints the effective settings for a valid file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, 'learn: 20s\n');
    const result = shipwatch('check-config', file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('\nlearn: 20s\n');
  });

  it('prints the shipped JSON Schema with check-config --schema', () => {
    const result = shipwatch('check-config', '--schema');
    expect(result.status).toBe(0);
    const shipped = readFileSync(path.resolve(import.meta.dirname, '../../../../docs/config.schema.json'), 'utf8');
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(shipped));
  });

  it('exits 2 on an unknown option of run', () => {
    const result = shipwatch('run', '--no-such-flag');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 when run is given a bad flag value, naming the option', () => {
    const result = shipwatch('run', '--listen', 'nowhere');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('listen: expected HOST:PORT');
  });

  it('refuses a non-loopback listen address without a token file', () => {
    const result = shipwatch('run', '--listen', '0.0.0.0:0', '--docker-host', 'unix:///nonexistent.sock');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no token_file');
  });

  // Waits the full 5 s the engine is given to answer, plus the CLI's start.
  it('exits 1 with one line naming the docker host and the demo when no engine answers', { timeout: 30_000 }, () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const result = shipwatch(
      'run',
      '--docker-host',
      'unix:///nonexistent/docker.sock',
      '--state-dir',
      stateDir,
      '--listen',
      '127.0.0.1:0',
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^shipwatch: no Docker engine answered at unix:\/\/\/nonexistent\/docker\.sock .*npm run demo/,
      ),
    ]);
  });

  it('names the default of every run option that has one, and the variables, in run --help', () => {
    const result = shipwatch('run', '--help');
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const text of [
      '--listen <host:port> HTTP listen address (default 127.0.0.1:9477)',
      '--state-dir <dir> journal, queues and baselines (default /var/lib/shipwatch)',
      '--learn <duration> learning window per workload (default 10m)',
      '--interfaces <auto|list> bridges to capture on: auto (default',
      "(default: this machine's host name)",
      '--log-level <level> log level (default info)',
      '--stats-interval <duration> container stats sampling interval (default 5s)',
      'Each option is also a SHIPWATCH_* variable',
    ]) {
      expect(help).toContain(text);
    }
  });

  // Starts the CLI three times (tsx compiles on each start): allow for a loaded machine.
  it('prints help for every command and exits 0', { timeout: 30_000 }, () => {
    for (const command of [[], ['run'], ['check-config']]) {
      const result = shipwatch(...command, '--help');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: shipwatch');
    }
  });
});
