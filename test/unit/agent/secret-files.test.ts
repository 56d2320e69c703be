import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../agent/config.ts';

function file(name: string, text: string): string {
  const target = path.join(mkdtempSync(path.join(tmpdir(), 'sw-secret-')), name);
  writeFileSync(target, text);
  return target;
}

function problems(raw: unknown): string {
  try {
    validateConfig(raw, 'shipwatch.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

const URL = 'http://127.0.0.1:9/hook';

describe('webhook secrets read from files', () => {
  it('reads secret_file once into the secret, without the trailing newline', () => {
    const secretFile = file('hook-secret', 's3cr3t-from-file\n');
    const config = validateConfig({ webhooks: [{ url: URL, secret_file: secretFile }] }, 'shipwatch.yaml');
    expect(config.webhooks[0]?.secret).toBe('s3cr3t-from-file');
    expect(config.webhooks[0]?.secret_file).toBe(secretFile);
  });

  it('rejects secret and secret_file together, naming the key path', () => {
    const secretFile = file('hook-secret', 'x');
    expect(problems({ webhooks: [{ url: URL, secret: 'inline', secret_file: secretFile }] })).toBe(
      'shipwatch.yaml: webhooks.0.secret_file: give secret or secret_file, not both',
    );
  });

  it('names the key and the file when secret_file cannot be read or is empty', () => {
    expect(problems({ webhooks: [{ url: URL, secret_file: '/nonexistent/secret' }] })).toBe(
      'shipwatch.yaml: webhooks.0.secret_file: cannot read /nonexistent/secret: ENOENT',
    );
    const empty = file('empty', '\n');
    expect(problems({ webhooks: [{ url: URL, secret_file: empty }] })).toBe(
      `shipwatch.yaml: webhooks.0.secret_file: ${empty} is empty`,
    );
  });

  it('adds the headers of headers_file to headers', () => {
    const headersFile = file('hook-headers', '# Splunk HEC\nAuthorization: Splunk 0123-abcd\n\nX-Team: soc\n');
    const config = validateConfig(
      { webhooks: [{ url: URL, headers: { 'X-Source': 'vm1' }, headers_file: headersFile }] },
      'shipwatch.yaml',
    );
    expect(config.webhooks[0]?.headers).toEqual({
      'X-Source': 'vm1',
      Authorization: 'Splunk 0123-abcd',
      'X-Team': 'soc',
    });
  });

  it('rejects a header given in both headers and headers_file, and a bad line without echoing it', () => {
    const headersFile = file('hook-headers', 'authorization: Bearer abc\n');
    expect(problems({ webhooks: [{ url: URL, headers: { Authorization: 'x' }, headers_file: headersFile }] })).toBe(
      'shipwatch.yaml: webhooks.0.headers_file: authorization also in headers',
    );
    const bad = file('bad-headers', 'Bearer leaked-token-value\n');
    const message = problems({ webhooks: [{ url: URL, headers_file: bad }] });
    expect(message).toBe(`shipwatch.yaml: webhooks.0.headers_file: ${bad}:1: expected "Name: value"`);
    expect(message).not.toContain('leaked-token-value');
  });
});
