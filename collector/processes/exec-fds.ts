// What an exec's file descriptors and executable say at exec time, for the rules that need more
// than exe and argv: is fd 0, 1 or 2 a network socket (a shell handed to the network), and was the
// executable already deleted or a memfd (fileless execution). Synchronous, like proc-reader.ts:
// a reverse shell may hang up a moment later. The socket inode is looked up in the process's own
// network namespace (/proc/<pid>/net/*), where the container's connections are listed.
import { readFileSync, readlinkSync } from 'node:fs';
import type { StdioSocket } from '../events.ts';
import { formatAddress } from '../packets/index.ts';

export interface ExecFds {
  exeDeleted?: true;
  stdioSocket?: StdioSocket;
}

const TABLES = [
  ['tcp', 4],
  ['tcp6', 6],
  ['udp', 4],
  ['udp6', 6],
] as const;
/** TCP_LISTEN in /proc/net/tcp's `st` column. */
const LISTEN = '0A';

function link(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** "0100007F:1F90" (the kernel's words in host byte order, little-endian here) → ip, port. */
export function parseProcAddress(text: string, version: 4 | 6): { ip: string; port: number } | null {
  const [hex, portHex] = text.split(':');
  if (hex === undefined || portHex === undefined || hex.length !== (version === 4 ? 8 : 32)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word++) {
    for (let b = 0; b < 4; b++) {
      // Each 32-bit word is printed as a number: its bytes come out reversed on little-endian.
      bytes[word * 4 + b] = parseInt(hex.slice(word * 8 + (3 - b) * 2, word * 8 + (3 - b) * 2 + 2), 16);
    }
  }
  let ip = formatAddress(bytes, 0, version);
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  else if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(ip)) {
    const tail = bytes.subarray(12);
    ip = formatAddress(tail, 0, 4);
  }
  return { ip, port: parseInt(portHex, 16) };
}

/** Finds the socket with `inode` in one /proc/net table's text. */
export function findSocket(
  table: string,
  inode: string,
  version: 4 | 6,
): { local: { ip: string; port: number }; remote: { ip: string; port: number } | null } | null {
  for (const line of table.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[9] !== inode) continue;
    const local = parseProcAddress(cols[1] ?? '', version);
    const remote = parseProcAddress(cols[2] ?? '', version);
    if (!local) return null;
    const unconnected = cols[3] === LISTEN || !remote || remote.port === 0;
    return { local, remote: unconnected ? null : remote };
  }
  return null;
}

function stdioSocket(pid: number): StdioSocket | undefined {
  const inodes = new Map<string, number[]>();
  for (const fd of [0, 1, 2]) {
    const target = link(`/proc/${pid}/fd/${fd}`);
    const inode = target?.startsWith('socket:[') ? target.slice(8, -1) : null;
    if (inode !== null) inodes.set(inode, [...(inodes.get(inode) ?? []), fd]);
  }
  if (inodes.size === 0) return undefined;
  for (const [name, version] of TABLES) {
    let table: string;
    try {
      table = readFileSync(`/proc/${pid}/net/${name}`, 'latin1');
    } catch {
      return undefined;
    }
    for (const [inode, fds] of inodes) {
      const found = findSocket(table, inode, version);
      if (found) return { fds, protocol: name.startsWith('tcp') ? 'tcp' : 'udp', ...found };
    }
  }
  // Unix sockets (docker exec's stdio, a supervisor's log pipe) are not network connections.
  return undefined;
}

export function readExecFds(pid: number): ExecFds {
  const out: ExecFds = {};
  const exe = link(`/proc/${pid}/exe`);
  if (exe !== null && (exe.endsWith(' (deleted)') || exe.startsWith('/memfd:'))) out.exeDeleted = true;
  const socket = stdioSocket(pid);
  if (socket) out.stdioSocket = socket;
  return out;
}
