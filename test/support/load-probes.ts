// Probes that run beside a load test: /healthz answered (and how fast) every few hundred ms, and the
// RSS of a process tree sampled, each bounded in time by its stop().
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureChildren, rssMiB } from './process-resources.ts';

export interface LatencyFigures {
  count: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
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
  };
}

/** GET /healthz every `everyMs` until stop(); each request times out after 2 s (counted as failed). */
export function probeHealth(baseUrl: string, everyMs = 150): { stop(): Promise<LatencyFigures> } {
  const samples: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) samples.push(performance.now() - started);
        else failed++;
      } catch {
        failed++;
      }
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencyFigures(samples, failed);
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
