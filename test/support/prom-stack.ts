// Real Prometheus and Alertmanager (Debian's binaries), each on a free loopback port with its
// config and storage in a temp dir, for tests that let the real tools judge.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './wait.ts';
import { freePort } from './webhook-receiver.ts';

export interface Daemon {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

async function startDaemon(binary: string, args: string[], dir: string, url: string, ready: string): Promise<Daemon> {
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${binary} exited: ${output.join('')}`);
      return (await fetch(`${url}${ready}`)).ok;
    },
    { timeout: 30_000, interval: 200, what: `${binary} to be ready` },
  );
  return {
    url,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Prometheus scraping `target` (host:port) every second. */
export async function startPrometheus(target: string): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-prom-'));
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: shipwatch\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  return startDaemon(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
}

/** Alertmanager with clustering off and a receiver that sends nowhere. */
export async function startAlertmanager(): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-am-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'alertmanager.yml'), `route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n`);
  return startDaemon(
    'prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
}
