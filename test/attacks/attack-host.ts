// A network namespace of the catalogue's own, holding 203.0.113.160/29 and 169.254.169.254 behind a
// veth, with host routes to both. The metadata address is the one address outside 203.0.113.0/24
// the tests may use: before anything is sent there, `ip route get` must show our veth, and
// everything is removed afterwards (DESIGN.md, test environment).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../support/wait.ts';

const NETNS = 'sw-atk';
const VETH = 'sw-atk-h';
const PEER = 'sw-atk-ns';
const LINK_HOST = '198.19.253.1';
const LINK_NS = '198.19.253.2';
export const ATTACK_NET = '203.0.113.160/29';
export const HOSTS = { web: '203.0.113.160', sink: '203.0.113.161', services: '203.0.113.162', dark: '203.0.113.163' };
export const METADATA_IP = '169.254.169.254';
const ADDRESSES = ['203.0.113.160', '203.0.113.161', '203.0.113.162', '203.0.113.163', METADATA_IP];

/**
 * A TCP client on the attack host (from HOSTS.web): connects to ip:port, sends `line`, resolves
 * to what came back. Bounded: 5 s.
 */
export function connectFromAttackHost(address: string, port: number, line: string): Promise<string> {
  const script = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]), localAddress: '${HOSTS.web}' }, () => s.write(process.argv[3]));
let got = '';
s.on('data', (d) => { got += d; if (got.includes('\\n')) s.end(); });
s.on('close', () => { console.log(got.trim()); process.exit(0); });
s.on('error', (e) => { console.log('error: ' + e.message); process.exit(0); });
setTimeout(() => { console.log('timeout ' + got.trim()); process.exit(0); }, 5000);`;
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', NETNS, process.execPath, '-e', script, address, String(port), line], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', () => resolve(out.trim()));
  });
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function quietly(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // already gone
  }
}

export function removeAttackHost(): void {
  quietly('route', 'del', `${METADATA_IP}/32`, 'via', LINK_NS);
  quietly('route', 'del', ATTACK_NET, 'via', LINK_NS);
  quietly('link', 'del', VETH);
  quietly('netns', 'del', NETNS);
}

export interface AttackHost {
  stop(): void;
}

export async function startAttackHost(): Promise<AttackHost> {
  removeAttackHost();
  ip('netns', 'add', NETNS);
  ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', PEER);
  ip('link', 'set', PEER, 'netns', NETNS);
  ip('addr', 'add', `${LINK_HOST}/30`, 'dev', VETH);
  ip('link', 'set', VETH, 'up');
  ip('-n', NETNS, 'link', 'set', PEER, 'name', 'eth0');
  ip('-n', NETNS, 'addr', 'add', `${LINK_NS}/30`, 'dev', 'eth0');
  ip('-n', NETNS, 'link', 'set', 'eth0', 'up');
  ip('-n', NETNS, 'link', 'set', 'lo', 'up');
  for (const address of ADDRESSES) ip('-n', NETNS, 'addr', 'add', `${address}/32`, 'dev', 'lo');
  ip('-n', NETNS, 'route', 'add', 'default', 'via', LINK_HOST);
  ip('route', 'add', ATTACK_NET, 'via', LINK_NS, 'dev', VETH);
  ip('route', 'add', `${METADATA_IP}/32`, 'via', LINK_NS, 'dev', VETH);
  for (const address of [METADATA_IP, HOSTS.web]) {
    const route = ip('route', 'get', address);
    if (!route.includes(`dev ${VETH}`)) {
      removeAttackHost();
      throw new Error(`refusing to send to ${address}: its route is not our test host's (${route.trim()})`);
    }
  }
  const server: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', NETNS, process.execPath, path.join(import.meta.dirname, '../../scripts/attack-host.mjs')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('listening'), { timeout: 10_000, what: 'the attack host to listen' });
  return {
    stop() {
      server.kill('SIGTERM');
      removeAttackHost();
    },
  };
}
