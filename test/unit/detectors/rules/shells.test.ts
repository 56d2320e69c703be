import { describe, expect, it } from 'vitest';
import { api, exec, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

const socket = {
  fds: [0, 1, 2],
  protocol: 'tcp' as const,
  local: { ip: '198.18.2.3', port: 41234 },
  remote: { ip: '203.0.113.10', port: 4444 },
};

describe('reverse_shell', () => {
  it('alerts when a shell starts with its stdin and stdout on a TCP connection', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h
      .feed(exec(h.at(10), api, '/bin/busybox', ['/bin/sh'], { stdioSocket: socket }))
      .filter((f) => f.rule === 'reverse_shell');
    expect(found).toHaveLength(1);
    expect(found[0]?.summary).toBe(
      'shop-api-1 (shop/api) started sh whose stdin, stdout, stderr is a tcp connection to 203.0.113.10:4444: a remote shell ("/bin/sh")',
    );
    expect(found[0]?.details).toMatchObject({
      process: { socket: { local: '198.18.2.3:41234', remote: '203.0.113.10:4444' } },
    });
  });

  it('alerts for an interpreter too', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h.feed(
      exec(h.at(10), api, '/usr/bin/python3.11', ['python3', '-c', 'pty.spawn()'], {
        stdioSocket: { ...socket, fds: [0] },
      }),
    );
    expect(found.map((f) => f.rule)).toContain('reverse_shell');
  });

  it('stays silent for a shell on pipes, and for a server program whose stdin is a socket', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h.feed(
      exec(h.at(10), api, '/bin/busybox', ['sh', '-c', 'id']),
      exec(h.at(20), api, '/usr/sbin/in.tftpd', ['in.tftpd'], { stdioSocket: socket }),
    );
    expect(found.map((f) => f.rule)).not.toContain('reverse_shell');
  });
});
