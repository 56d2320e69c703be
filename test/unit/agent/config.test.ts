import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../agent/config.ts';
import { loadConfig } from '../../../agent/load-config.ts';
import type { ShipwatchError } from '../../../core/errors.ts';

function configFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sw-config-')), 'shipwatch.yaml');
  writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  it('fills every default from an empty file', () => {
    const config = validateConfig({}, 'test');
    expect(config.listen).toBe('127.0.0.1:9477');
    expect(config.learn).toBe(600_000);
    expect(config.interfaces).toBe('auto');
    expect(config.response.auto).toEqual({});
    expect(Object.isFrozen(config.response)).toBe(true);
  });

  it('names every bad key and what was expected', () => {
    const error = (() => {
      try {
        validateConfig(
          { learn: 'soon', listen: '9477', webhooks: [{ url: 'ftp://x' }], colour: 'red' },
          'shipwatch.yaml',
        );
      } catch (e) {
        return e as ShipwatchError;
      }
      throw new Error('expected a validation error');
    })();
    expect(error.code).toBe('SW_CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('learn: expected a duration');
    expect(error.message).toContain('listen: expected HOST:PORT');
    expect(error.message).toContain('webhooks.0.url: expected an http:// or https:// URL');
    expect(error.message).toContain('colour: unknown option');
  });

  it('names each unknown key on its own path when one object has several', () => {
    expect(() => validateConfig({ capture: { snap_len: 96, maxflows: 100 } }, 'f')).toThrow(
      'f: capture.snap_len: unknown option; capture.maxflows: unknown option',
    );
  });

  it('bounds the sinks’ queues and backoff through delivery, with production defaults', () => {
    expect(validateConfig({}, 'f').delivery).toEqual({ max_queued: 10_000, retry_min: 500, retry_max: 60_000 });
    expect(validateConfig({ delivery: { max_queued: 50, retry_min: '1s', retry_max: '5m' } }, 'f').delivery).toEqual({
      max_queued: 50,
      retry_min: 1000,
      retry_max: 300_000,
    });
    expect(() => validateConfig({ delivery: { retry_min: '2m', retry_max: '1m' } }, 'f')).toThrow(
      'f: delivery.retry_max: must not be shorter than retry_min',
    );
    expect(() => validateConfig({ delivery: { max_queued: 0 } }, 'f')).toThrow('delivery.max_queued');
  });

  it('rejects an unknown rule id in rule settings', () => {
    expect(() => validateConfig({ rules: { unexpected_egres: { enabled: false } } }, 'f')).toThrow(
      /rules\.unexpected_egres/,
    );
  });

  it('refuses a response.auto key that is neither a rule id nor a severity, naming it', () => {
    // A misspelt key would match no alert: the automatic response asked for would never happen.
    expect(() => validateConfig({ response: { auto: { drift_exectuable: 'isolate' } } }, 'f')).toThrow(
      /response\.auto\.drift_exectuable: expected a rule id or a severity/,
    );
    expect(() => validateConfig({ response: { auto: { container_isolated: 'pause' } } }, 'f')).toThrow(
      /response\.auto\.container_isolated/,
    );
  });

  it('accepts rule ids and severities as response.auto keys', () => {
    const config = validateConfig({ response: { auto: { drift_executable: 'isolate', critical: 'pause' } } }, 'f');
    expect(config.response.auto).toEqual({ drift_executable: 'isolate', critical: 'pause' });
  });

  it('lets variables override the file and flags override variables', () => {
    const file = configFile('learn: 1m\nlisten: 127.0.0.1:1000\nstate_dir: /from/file\n');
    const config = loadConfig(
      { config: file, listen: '127.0.0.1:3000' },
      { SHIPWATCH_LISTEN: '127.0.0.1:2000', SHIPWATCH_LEARN: '20s' },
    );
    expect(config.learn).toBe(20_000);
    expect(config.listen).toBe('127.0.0.1:3000');
    expect(config.state_dir).toBe('/from/file');
  });

  it('turns repeated --webhook flags and a comma-separated interface list into their YAML shapes', () => {
    const config = loadConfig(
      { webhook: ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b'], interfaces: 'docker0, br-1' },
      {},
    );
    expect(config.webhooks.map((w) => w.url)).toEqual(['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b']);
    expect(config.webhooks[0]?.format).toBe('shipwatch');
    expect(config.interfaces).toEqual(['docker0', 'br-1']);
  });

  it('honours DOCKER_HOST when no shipwatch setting names the daemon', () => {
    expect(loadConfig({}, { DOCKER_HOST: 'unix:///tmp/d.sock' }).docker_host).toBe('unix:///tmp/d.sock');
  });

  it('rejects a bad egress allowlist entry, naming its index', () => {
    expect(() => validateConfig({ egress_allowlist: ['198.19.0.0/16', '198.19.0.0/40'] }, 'test.yaml')).toThrow(
      /egress_allowlist\.1: 198\.19\.0\.0\/40: bad prefix length/,
    );
  });

  it('rejects a docker_host that is not a URL or a path, naming the key', () => {
    expect(() => validateConfig({ docker_host: 'docker.sock' }, 'f')).toThrow(
      'f: docker_host: expected unix:///path or tcp://host:port, got "docker.sock"',
    );
  });

  it('rejects a docker_host with a scheme Docker clients do not speak, naming the key', () => {
    expect(() => validateConfig({ docker_host: 'ssh://admin@host' }, 'f')).toThrow(
      'f: docker_host: unsupported scheme "ssh:" in "ssh://admin@host"',
    );
  });

  it('rejects a bad docker_host given as a variable, like one in the file', () => {
    expect(() => loadConfig({}, { SHIPWATCH_DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).toThrow(
      /docker_host: unsupported scheme "npipe:"/,
    );
  });

  it('accepts every docker_host form the client speaks', () => {
    for (const docker_host of [
      'unix:///run/docker.sock',
      '/run/docker.sock',
      'tcp://127.0.0.1:2375',
      'https://h:2376',
    ]) {
      expect(validateConfig({ docker_host }, 'f').docker_host).toBe(docker_host);
    }
  });

  it('reports a file that is not YAML', () => {
    const file = configFile('listen: [unclosed\n');
    expect(() => loadConfig({ config: file }, {})).toThrow(/not valid YAML/);
  });
});
