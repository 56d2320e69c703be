// A full garbage collection in a running agent, from outside, with nothing added to the product:
// the agent runs with NODE_OPTIONS=--inspect-port=127.0.0.1:0 (which only picks the port), SIGUSR1
// opens Node's inspector on loopback, and the DevTools protocol's HeapProfiler.collectGarbage runs
// a full GC. Heap figures after it are what the agent really holds, not what V8 has yet to collect.
import { WebSocket } from 'ws';
import type { AgentProcess } from './agent-process.ts';
import { waitFor } from './wait.ts';

/** The env to start the agent with so heapAfterGc() can reach it. */
export const INSPECTABLE_ENV = { NODE_OPTIONS: '--inspect-port=127.0.0.1:0' };

export interface HeapFigures {
  usedMiB: number;
  totalMiB: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function inspectorUrl(agent: AgentProcess): Promise<string> {
  const find = () => /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(agent.stderr.join(''))?.[1];
  if (!find()) agent.child.kill('SIGUSR1');
  return waitFor(find, { timeout: 10_000, what: 'the agent inspector to listen' });
}

/** Runs a full GC in the agent and returns its heap figures right after. */
export async function heapAfterGc(agent: AgentProcess): Promise<HeapFigures> {
  const socket = new WebSocket(await inspectorUrl(agent));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let next = 1;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 30_000);
      socket.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString('utf8')) as { id?: number; result?: Record<string, unknown> };
        if (reply.id !== id) return;
        clearTimeout(timer);
        resolve(reply.result ?? {});
      });
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    // Twice: objects with finalizers (weak callbacks) are freed by the second.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { usedMiB: mib(Number(usage.usedSize)), totalMiB: mib(Number(usage.totalSize)) };
  } finally {
    socket.close();
  }
}
