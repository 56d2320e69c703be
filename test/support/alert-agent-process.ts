// Starts test/support/alert-agent.ts as a child process (so tests can SIGKILL it for real) and
// gives tests its address, its log lines, and helpers to raise findings and read metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { AlertAgentOptions } from './alert-agent.ts';
import { waitFor } from './wait.ts';
import type { Alert } from '../../alerts/alert.ts';
import type { Finding } from '../../findings/index.ts';
import { collectOutput } from './child-output.ts';

const SCRIPT = path.resolve(import.meta.dirname, 'alert-agent.ts');
const ROOT = path.resolve(import.meta.dirname, '../..');

export interface AlertAgentProcess {
  child: ChildProcess;
  baseUrl: string;
  logs: Record<string, unknown>[];
  raise(findings: Finding[], token?: string): Promise<Alert[]>;
  metric(name: string, labels?: Record<string, string>): Promise<number | null>;
  kill(): Promise<void>;
  stop(): Promise<number | null>;
}

export async function startAlertAgent(options: AlertAgentOptions): Promise<AlertAgentProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, stderr } = collectOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = await waitFor(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`alert agent exited: ${stderr.join('')}`);
      }
      return logs.find((l) => l.msg === 'shipwatch listening');
    },
    { timeout: 20_000, what: 'the alert agent to listen' },
  );
  const baseUrl = `http://${String(listening.listen)}`;
  return {
    child,
    baseUrl,
    logs,
    async raise(findings, token) {
      const response = await fetch(`${baseUrl}/test/findings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(findings),
      });
      if (!response.ok) throw new Error(`raise: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { alerts: Alert[] }).alerts;
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      let total: number | null = null;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total = (total ?? 0) + Number(match[3]);
      }
      return total;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
