import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findSocket, parseProcAddress, readExecFds } from '../../../../collector/processes/exec-fds.ts';

// Lines as the kernel prints them (Linux 6.1): a listener and a connection, IPv4 and IPv6.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 030212C6:A0D2 0A7100CB:115C 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 20 4 30 10 -1`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF0000030212C6:A0D2 0000000000000000FFFF00000A7100CB:115C 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 20 4 30 10 -1
   1: C20E00FD000000000000000054020000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 20 4 30 10 -1`;

describe('exec fds', () => {
  it('reads the kernel hex addresses of /proc/net/tcp', () => {
    expect(parseProcAddress('030212C6:A0D2', 4)).toEqual({ ip: '198.18.2.3', port: 41170 });
    expect(parseProcAddress('0A7100CB:115C', 4)).toEqual({ ip: '203.0.113.10', port: 4444 });
  });

  it('finds a connection by its socket inode, and calls a listener unconnected', () => {
    expect(findSocket(TCP, '2222', 4)).toEqual({
      local: { ip: '198.18.2.3', port: 41170 },
      remote: { ip: '203.0.113.10', port: 4444 },
    });
    expect(findSocket(TCP, '1111', 4)).toEqual({ local: { ip: '0.0.0.0', port: 8080 }, remote: null });
    expect(findSocket(TCP, '9999', 4)).toBeNull();
  });

  it('reads IPv4-mapped and plain IPv6 addresses of /proc/net/tcp6', () => {
    expect(findSocket(TCP6, '3333', 6)?.remote).toEqual({ ip: '203.0.113.10', port: 4444 });
    expect(findSocket(TCP6, '4444', 6)?.local).toEqual({ ip: 'fd00:ec2::254', port: 80 });
  });

  it('sees nothing special about this test process (its stdio is no socket)', () => {
    expect(readExecFds(process.pid)).toEqual({});
  });

  it('finds a real TCP connection through /proc when it is a process fd', async () => {
    // Not fd 0-2 of a child here (that is the integration catalogue's job): the same lookup, by inode.
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    const { readdirSync, readlinkSync, readFileSync } = await import('node:fs');
    const inodes = readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((l) => l.startsWith('socket:['))
      .map((l) => l.slice(8, -1));
    const table = readFileSync('/proc/self/net/tcp', 'latin1');
    const found = inodes.map((i) => findSocket(table, i, 4)).find((s) => s?.remote?.port === port);
    expect(found?.local.ip).toBe('127.0.0.1');
    client.destroy();
    server.close();
  });
});
