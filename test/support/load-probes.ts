// Probes that run beside a load test: /healthz answered (and how fast) every 100 ms, and the RSS of
// a process tree sampled, each bounded in time by its stop().
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureChildren, rssMiB } from './process-resources.ts';

export interface LatencyFigures {
  count: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  /** The three slowest answers, slowest first. */
  worst: number[];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function latencyFigures(samples: number[], failed: number): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: samples.length,
    failed,
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? NaN),
    worst: sorted.slice(-3).reverse().map(round),
  };
}

/**
 * The prober, a process of its own so that what it measures is the agent's answer, not the test
 * process's own event loop (busy with docker, /proc and /metrics): after one untimed request (a
 * process's first fetch loads its HTTP client: 100 ms and more on a busy host) it says `ready`,
 * then GETs /healthz every EVERY ms, each with a 2 s timeout (counted as failed), until its stdin
 * closes, and prints the samples.
 */
const PROBER = `
const [url, every] = [process.argv[1], Number(process.argv[2])];
const samples = [];
let failed = 0;
let running = true;
process.stdin.on('end', () => (running = false)).resume();
(async () => {
  await fetch(url).then((r) => r.arrayBuffer(), () => undefined);
  process.stdout.write('ready\\n');
  while (running) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) samples.push(performance.now() - started);
      else failed++;
    } catch {
      failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, every - (performance.now() - started))));
  }
  process.stdout.write(JSON.stringify({ samples, failed }) + '\\n');
})();
`;

/** GETs /healthz every `everyMs` from a process of its own until stop(); resolves once it measures. */
export async function probeHealth(baseUrl: string, everyMs = 100): Promise<{ stop(): Promise<LatencyFigures> }> {
  const child = spawn(process.execPath, ['-e', PROBER, `${baseUrl}/healthz`, String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the /healthz prober exited with ${code}`)));
  });
  return {
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      const result = JSON.parse(out.slice('ready\n'.length)) as { samples: number[]; failed: number };
      return latencyFigures(result.samples, result.failed);
    },
  };
}

export interface RssPeaks {
  agentMiB: number;
  /** The largest capture child seen. */
  captureMiB: number;
}

/** The agent's and its capture children's peak RSS, sampled every `everyMs` until stop(). */
export function sampleRss(pid: number, everyMs = 200): { stop(): Promise<RssPeaks> } {
  const peaks: RssPeaks = { agentMiB: 0, captureMiB: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        peaks.agentMiB = Math.max(peaks.agentMiB, rssMiB(pid));
        for (const child of captureChildren(pid)) peaks.captureMiB = Math.max(peaks.captureMiB, rssMiB(child.pid));
      } catch {
        // a child (or the agent) exited between the listing and the read
      }
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}
