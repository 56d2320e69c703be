import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', false, stream) };
}

describe('logger', () => {
  it('never writes a webhook secret or header value, even when the whole config is logged', () => {
    const { lines, log } = capture();
    const webhook = { url: 'https://soc/hook', secret: 'hmac-1', headers: { Authorization: 'Bearer tok-1' } };
    log.info({ config: { webhooks: [webhook], listen: '127.0.0.1:9477' } }, 'config');
    log.info({ webhook }, 'sink');
    log.info({ webhooks: [webhook] }, 'sinks');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hmac-1');
    expect(text).not.toContain('tok-1');
    expect(lines[0]).toMatchObject({
      config: {
        webhooks: [{ secret: '<redacted>', headers: { Authorization: '<redacted>' } }],
        listen: '127.0.0.1:9477',
      },
    });
  });

  it('redacts tokens, passwords and request authorization headers by name', () => {
    const { lines, log } = capture();
    log.info({ token: 't-1', password: 'p-1', req: { headers: { authorization: 'Bearer t-2' } } }, 'x');
    expect(lines[0]).toMatchObject({
      token: '<redacted>',
      password: '<redacted>',
      req: { headers: { authorization: '<redacted>' } },
    });
  });
});
