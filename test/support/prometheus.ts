// A real Prometheus (Debian's `prometheus`) scraping the agent on loopback, for tests where
// Prometheus is the judge of what /metrics says. Its own temp dir and port; stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './wait.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export class Prometheus {
  readonly #dir = mkdtempSync(path.join(tmpdir(), 'sw-prom-'));
  #child: ChildProcess | null = null;
  url = '';

  /** Starts scraping `target` (host:port) every second; `labels` are target labels (as file-based discovery sets `host`). */
  async start(target: string, labels: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const config = path.join(this.#dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: shipwatch\n    static_configs:\n      - targets: ['${target}']\n        labels: ${JSON.stringify(labels)}\n`,
    );
    this.#child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(this.#dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await fetch(`${this.url}/-/ready`)).ok, {
      timeout: 30_000,
      what: 'prometheus to be ready',
    });
  }

  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await response.json()) as QueryResult;
  }

  /** Waits until the scrape of the agent succeeded at least once. */
  async scraped(): Promise<void> {
    await waitFor(async () => (await this.query('up{job="shipwatch"} == 1')).data?.result.length, {
      timeout: 20_000,
      what: 'a successful scrape of the agent',
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
