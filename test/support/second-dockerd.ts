// A second, throw-away dockerd for tests that must kill or restart a daemon (the shared one of
// scripts/testenv.sh is never touched). Its own socket, data root, exec root and pidfile under a
// temp dir; no default bridge, no iptables or masquerade rules, user networks inside
// 198.19.128.0/17 (a test that runs beside those may ask for its own bridge and pool). The test
// image is copied in from the shared daemon with save | load.
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DOCKER_HOST, TEST_IMAGE } from './testenv.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export interface SecondDockerdOptions {
  /** Its default bridge (not docker0, which belongs to the shared daemon). */
  bridge?: string;
  bridgeAddress?: string;
  /** `--default-address-pool` for its user networks. */
  pool?: string;
}

export class SecondDockerd {
  readonly #bridge: string;
  readonly #bridgeAddress: string;
  readonly #pool: string;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'sw-d2-'));
  readonly socket = path.join(this.dir, 'docker.sock');
  readonly host = `unix://${this.socket}`;
  readonly #pidfile = path.join(this.dir, 'dockerd.pid');
  #pid: number | null = null;

  /** A second socket the agent does not know: lets a test change things while the agent cannot look. */
  readonly hiddenHost = `unix://${path.join(this.dir, 'hidden.sock')}`;
  #listening = this.host;

  constructor({
    bridge = 'sw-d2-br0',
    bridgeAddress = '198.19.127.1/24',
    pool = 'base=198.19.128.0/17,size=24',
  }: SecondDockerdOptions = {}) {
    this.#bridge = bridge;
    this.#bridgeAddress = bridgeAddress;
    this.#pool = pool;
  }

  /**
   * Starts dockerd (again, on the same data root) and waits until it answers. Live-restore is on,
   * as on production hosts that restart daemons: containers outlive a daemon restart.
   */
  async start(host: string = this.host): Promise<void> {
    this.#listening = host;
    // After a SIGKILL the pidfile stays behind; dockerd refuses to start while it names a pid that
    // still exists (a zombie not yet reaped), and a containerd of the old daemon would hold the
    // exec root. Both are ours and dead or about to be.
    const containerd = readPid(path.join(this.dir, 'x', 'containerd', 'containerd.pid'));
    if (containerd !== null) await stopPid(containerd);
    rmSync(this.#pidfile, { force: true });
    // Not --bridge=none: with it dockerd deletes the host's docker0 at start-up, which belongs to
    // the shared test daemon. A bridge of its own keeps the two apart. (Added by the lead.)
    await run('bash', [
      '-c',
      `ip link add ${this.#bridge} type bridge 2>/dev/null; ip addr replace ${this.#bridgeAddress} dev ${this.#bridge} && ip link set ${this.#bridge} up`,
    ]);
    const log = this.#log();
    const child = spawn(
      'dockerd',
      [
        ...[
          '--host',
          host,
          '--live-restore',
          '--data-root',
          path.join(this.dir, 'data'),
          '--exec-root',
          path.join(this.dir, 'x'),
        ],
        ...['--pidfile', this.#pidfile, '--bridge', this.#bridge, '--iptables=false', '--ip-masq=false'],
        ...['--default-address-pool', this.#pool, '--dns', '203.0.113.53', '--log-level', 'warn'],
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    child.unref();
    this.#pid = child.pid ?? null;
    await waitFor(() => this.docker('version', '--format', '{{.Server.Version}}').then(Boolean), {
      timeout: 30_000,
      interval: 200,
      what: `the second dockerd on ${host}`,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- dockerd log ---\n${this.log.slice(-3000)}`);
    });
  }

  /** A clean stop (SIGTERM); with live-restore its containers keep running. */
  async stop(): Promise<void> {
    if (this.#pid !== null) await stopPid(this.#pid);
    this.#pid = null;
  }

  /** Its log, kept in its directory (appended across restarts) for a failing test to show. */
  #log(): number {
    return openSync(path.join(this.dir, 'dockerd.log'), 'a');
  }

  get log(): string {
    try {
      return readFileSync(path.join(this.dir, 'dockerd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** `docker` against this daemon. */
  async docker(...args: string[]): Promise<string> {
    const { stdout } = await run('docker', args, { env: { ...process.env, DOCKER_HOST: this.#listening } });
    return stdout.trim();
  }

  /** Copies the test image from the shared daemon. */
  async loadTestImage(): Promise<void> {
    await run('bash', [
      '-o',
      'pipefail',
      '-c',
      `docker -H '${DOCKER_HOST}' save '${TEST_IMAGE}' | docker -H '${this.#listening}' load`,
    ]);
  }

  /** SIGKILL, as a crash: no clean-up by the daemon. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const pid = this.#pid;
    if (pid === null) return;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !alive(pid), { timeout: 10_000, what: `dockerd ${pid} to die` });
    this.#pid = null;
  }

  /** Removes every container and network it holds, stops it and its containerd, unmounts and deletes its directory. */
  async destroy(): Promise<void> {
    // Live-restored containers outlive the daemon: bring it back to remove them properly.
    if (this.#pid === null || !alive(this.#pid)) await this.start().catch(() => undefined);
    if (this.#pid !== null && alive(this.#pid)) {
      const ids = await this.docker('ps', '-aq').catch(() => '');
      if (ids) await this.docker('rm', '-f', ...ids.split('\n')).catch(() => '');
      const networks = await this.docker('network', 'ls', '-q', '--filter', 'type=custom').catch(() => '');
      if (networks) await this.docker('network', 'rm', ...networks.split('\n')).catch(() => '');
      await stopPid(this.#pid);
    }
    // dockerd's own containerd outlives a SIGKILLed dockerd; it keeps its pid under the exec root.
    const containerd = readPid(path.join(this.dir, 'x', 'containerd', 'containerd.pid'));
    if (containerd !== null) await stopPid(containerd);
    await unmountBelow(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    await run('ip', ['link', 'del', this.#bridge]).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 60 && alive(pid); i++) await sleep(250);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Mounts (overlay, shm, netns) left below dir, deepest first. */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) await run('umount', ['-l', mountPoint]).catch(() => undefined);
}
