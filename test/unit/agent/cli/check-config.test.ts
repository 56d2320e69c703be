import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const BIN = path.resolve(import.meta.dirname, '../../../../bin/shipwatch.js');

function checkConfig(yaml: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-check-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'shipwatch.yaml');
  writeFileSync(file, yaml.replaceAll('$DIR', dir));
  const result = spawnSync(process.execPath, [BIN, 'check-config', file], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, dir };
}

const SECRETS = [
  'hmac-inline-secret',
  'Bearer header-token-1234',
  'file-secret-5678',
  'Splunk hec-9999',
  'url-pass',
  'q-token',
];

describe('shipwatch check-config', () => {
  // One CLI start for the whole file's worth of secrets: each start compiles the sources.
  it('prints the effective settings with every secret redacted and its key kept', { timeout: 30_000 }, () => {
    const result = checkConfig(
      [
        'webhooks:',
        '  - url: https://soc.example.internal/hook',
        '    secret: hmac-inline-secret',
        '    headers: { Authorization: "Bearer header-token-1234", X-Team: soc }',
        '  - url: https://soc.example.internal/hook2?token=q-token&team=soc',
        '    secret_file: $DIR/hook-secret',
        '    headers_file: $DIR/hook-headers',
        'alertmanager: { url: "https://am:url-pass@alertmanager.example.internal" }',
      ].join('\n'),
      { 'hook-secret': 'file-secret-5678\n', 'hook-headers': 'Authorization: Splunk hec-9999\n' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
    const config = parseYaml(result.stdout.slice(result.stdout.indexOf('\n') + 1)) as {
      webhooks: { url: string; secret: string; secret_file?: string; headers: Record<string, string> }[];
      alertmanager: { url: string }[];
    };
    expect(config.webhooks[0]?.secret).toBe('<redacted>');
    expect(config.webhooks[0]?.headers).toEqual({ Authorization: '<redacted>', 'X-Team': '<redacted>' });
    expect(config.webhooks[1]?.secret).toBe('<redacted>');
    expect(config.webhooks[1]?.secret_file).toBe(path.join(result.dir, 'hook-secret'));
    expect(config.webhooks[1]?.headers).toEqual({ Authorization: '<redacted>' });
    expect(config.webhooks[1]?.url).toBe('https://soc.example.internal/hook2?token=<redacted>&team=soc');
    expect(config.alertmanager[0]?.url).toBe('https://am:<redacted>@alertmanager.example.internal/');
  });

  it('exits 2 naming the key path when both secret and secret_file are given', { timeout: 20_000 }, () => {
    const result = checkConfig(
      ['webhooks:', '  - url: https://soc.example.internal/hook', '    secret: a', '    secret_file: $DIR/s'].join(
        '\n',
      ),
      { s: 'b' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/webhooks\.0\.secret_file: give secret or secret_file, not both\n$/);
  });
});
