// Pieces of the fleet tests: a config file per agent or hub pointing at the test NATS cluster, the
// hub as a child process (bin/shipwatch.js hub), and the alerts the stream holds for a subject.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { stringify } from 'yaml';
import { collectOutput } from './child-output.ts';
import { waitFor } from './wait.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/shipwatch.js');

export function writeFleetConfig(file: string, servers: string[], extra: Record<string, unknown> = {}): string {
  writeFileSync(
    file,
    stringify({
      fleet: { servers },
      // Short backoff: a delivery owed to the bus is retried within a second of its return.
      delivery: { retry_min: '200ms', retry_max: '1s' },
      ...extra,
    }),
  );
  return file;
}

export interface HubProcess {
  baseUrl: string;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startHub(configFile: string): Promise<HubProcess> {
  const child = spawn(process.execPath, [BIN, 'hub', '--config', configFile, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, stderr } = collectOutput(child);
  const listening = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}: ${stderr.join('')}`);
      return logs.find((l) => l.msg === 'shipwatch hub listening');
    },
    { timeout: 20_000, what: 'the hub to listen' },
  );
  return {
    baseUrl: `http://${String(listening.listen)}`,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Every message the alerts stream holds on a subject filter, read straight from JetStream. Retried
 * for a while: just after a node (re)joins, the cluster may time out a consumer request or two.
 */
export async function streamAlerts(servers: string[], filter: string): Promise<{ id: string; seq: number }[]> {
  return waitFor(() => readStream(servers, filter), {
    timeout: 20_000,
    interval: 500,
    what: `the stream on ${filter}`,
  });
}

async function readStream(servers: string[], filter: string): Promise<{ id: string; seq: number }[]> {
  const nc = await connect({ servers, maxReconnectAttempts: 0 });
  try {
    const js = jetstream(nc);
    const consumer = await js.consumers.get('SHIPWATCH_ALERTS', { filter_subjects: filter });
    const out: { id: string; seq: number }[] = [];
    for (;;) {
      const msg = await consumer.next({ expires: 1000 });
      if (!msg) return out;
      out.push({ id: msg.json<{ id: string }>().id, seq: msg.seq });
    }
  } finally {
    await nc.close();
  }
}
