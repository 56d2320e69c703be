// Runs the real agent (bin/shipwatch.js) as a child process, the way users run it, and gives
// tests its address, its log lines and a clean stop.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DOCKER_HOST } from './testenv.ts';
import { waitFor } from './wait.ts';
import { collectOutput } from './child-output.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/shipwatch.js');

export interface AgentProcess {
  child: ChildProcess;
  baseUrl: string;
  stateDir: string;
  logs: Record<string, unknown>[];
  stderr: string[];
  stop(): Promise<number | null>;
}

export async function startAgent(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const stateDir = args.includes('--state-dir')
    ? (args[args.indexOf('--state-dir') + 1] ?? '')
    : mkdtempSync(path.join(tmpdir(), 'sw-state-'));
  const fullArgs = ['run', '--docker-host', DOCKER_HOST, '--listen', '127.0.0.1:0', '--log-level', 'debug', ...args];
  if (!args.includes('--state-dir')) fullArgs.push('--state-dir', stateDir);
  const child = spawn(process.execPath, [BIN, ...fullArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, stderr } = collectOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}: ${stderr.join('')}`);
      return logs.find((l) => l.msg === 'shipwatch listening');
    },
    { timeout: 20_000, what: 'the agent to listen' },
  );
  return {
    child,
    baseUrl: `http://${String(listening.listen)}`,
    stateDir,
    logs,
    stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        // A stop that hangs fails the test with exit null; show where the agent was stuck.
        const tail = logs.slice(-15).map((l) => JSON.stringify(l));
        console.error(`agent ${child.pid} did not stop within 10 s of SIGTERM; last log lines:\n${tail.join('\n')}`);
        child.kill('SIGKILL');
      }, 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** One `shipwatch` command to its end, as a user runs it: exit code and output. */
export function runShipwatch(
  args: string[],
  { input, env = {} }: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: 60_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
