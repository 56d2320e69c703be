// A real 3-node NATS JetStream cluster on loopback for fleet tests (Debian's nats-server): random
// free ports, a store directory per node under one temp dir, nodes that can be killed and started
// again on the same store. Listens on 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { waitFor } from './wait.ts';

export const NATS_SERVER = process.env.SHIPWATCH_NATS_SERVER ?? '/usr/sbin/nats-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  dir: string;
  child: ChildProcess | null;
  output: string[];
}

export class NatsCluster {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'sw-nats-'));
  readonly nodes: Node[] = [];

  constructor(readonly size = 3) {}

  /** nats:// URLs of every node, for `fleet.servers`. */
  get urls(): string[] {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`);
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      const dir = path.join(this.dir, `n${i}`);
      mkdirSync(dir, { recursive: true });
      this.nodes.push({
        name: `sw-n${i}`,
        port: await freePort(),
        clusterPort: await freePort(),
        dir,
        child: null,
        output: [],
      });
    }
    for (let i = 0; i < this.size; i++) this.startNode(i);
    await this.waitReady();
  }

  startNode(index: number): void {
    const node = this.nodes[index];
    if (!node || node.child) return;
    const routes = this.nodes
      .filter((other) => other !== node)
      .map((other) => `nats://127.0.0.1:${other.clusterPort}`)
      .join(',');
    const args = ['-a', '127.0.0.1', '-p', String(node.port), '-n', node.name, '-js', '-sd', node.dir];
    if (this.size > 1)
      args.push('--cluster_name', 'sw-test', '--cluster', `nats://127.0.0.1:${node.clusterPort}`, '--routes', routes);
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      node.output.push(chunk.toString());
      if (node.output.length > 200) node.output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', () => {
      if (node.child === child) node.child = null;
    });
    node.child = child;
  }

  /** SIGKILL, as a crash. */
  async killNode(index: number): Promise<void> {
    const child = this.nodes[index]?.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.killNode(i)));
  }

  startAll(): void {
    for (let i = 0; i < this.nodes.length; i++) this.startNode(i);
  }

  /** Until JetStream answers with a meta leader (a cluster that can create R3 assets). */
  async waitReady(timeout = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const nc = await connect({ servers: this.urls, timeout: 1000, maxReconnectAttempts: 0 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          const info = await jsm.getAccountInfo();
          return info !== null;
        } finally {
          await nc.close();
        }
      },
      { timeout, interval: 250, what: 'the NATS cluster to elect a JetStream leader' },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${this.nodes.map((n) => `--- ${n.name}\n${n.output.join('').slice(-1500)}`).join('\n')}`,
      );
    });
  }

  async destroy(): Promise<void> {
    await this.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
