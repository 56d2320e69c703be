import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../agent/config.ts';
import { redactSecrets } from '../../../agent/redact.ts';
import { displayConfig } from '../../../agent/config-display.ts';
import { parse } from 'yaml';

const problems = (raw: unknown): string => {
  try {
    validateConfig(raw, 'shipwatch.yaml');
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('the fleet section', () => {
  it('is off by default: no NATS is needed', () => {
    expect(validateConfig({}, 'test').fleet).toBeNull();
  });

  it('shares baselines and publishes alerts, flows and inventory by default', () => {
    const { fleet } = validateConfig({ fleet: { servers: ['nats://127.0.0.1:4222'] } }, 'test');
    expect(fleet).toMatchObject({ share_baselines: true, publish: ['alerts', 'flows', 'inventory'], tls: null });
  });

  it('reads the password from its file, and check-config shows it redacted', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sw-fleet-')), 'nats-password');
    writeFileSync(file, 's3cret\n');
    const config = validateConfig(
      { fleet: { servers: ['nats://127.0.0.1:4222'], user: 'agent', password_file: file } },
      'test',
    );
    expect(config.fleet?.password).toBe('s3cret');
    expect(JSON.stringify(redactSecrets(config))).not.toContain('s3cret');
    // check-config's output is a config file again: the secret read from its file is not a key of it.
    const shown = displayConfig(config);
    expect(shown).not.toContain('s3cret');
    expect(validateConfig(parse(shown), 'again').fleet?.password).toBe('s3cret');
  });

  it('names a server that is not a NATS URL with its path', () => {
    const message = problems({
      fleet: { servers: ['http://x:4222'], user: 'a', token_file: '/nonexistent/token' },
    });
    expect(message).toContain('fleet.servers.0: expected a NATS URL');
  });

  it('refuses a password without a user, and a missing token file, with their paths', () => {
    expect(problems({ fleet: { servers: ['nats://127.0.0.1:4222'], password_file: '/x' } })).toContain(
      'fleet.password_file: password_file needs user',
    );
    expect(problems({ fleet: { servers: ['nats://127.0.0.1:4222'], token_file: '/nonexistent/token' } })).toMatch(
      /fleet\.token_file: cannot read \/nonexistent\/token/,
    );
  });
});
