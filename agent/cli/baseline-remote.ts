// `shipwatch baseline` while an agent holds the state directory. The agent keeps the baselines in
// memory and writes them back every few seconds: a file written beside it would go unseen and then
// be overwritten, and the files may lag what it has learned. So changes go through its API
// (PUT/DELETE /api/baselines/{workload}), at the address its state-dir lock publishes, and take
// effect at once; show and export read the same API (GET), so they print what the agent judges with.
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentClient } from './api-client.ts';
import type { Config } from '../config.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { lockHolder, lockedError, tryLockStateDir, type LockHolder, type StateLock } from '../state-lock.ts';
import { parseBaseline, type WorkloadBaseline } from '../../detectors/baseline.ts';

/** An agent between taking the lock and listening publishes its address within this. */
const STARTING_AGENT_WAIT_MS = 5000;

export interface RunningAgent {
  client: AgentClient;
  holder: LockHolder;
}

/**
 * Takes the state directory's lock for a direct change (so no agent starts in the middle of it),
 * or returns the running agent to go through. Refuses (exit 2) when the holder serves no API.
 */
export async function lockOrAgent(
  config: Config,
  command: string,
): Promise<{ lock: StateLock } | { agent: RunningAgent }> {
  const deadline = Date.now() + STARTING_AGENT_WAIT_MS;
  for (;;) {
    const attempt = await tryLockStateDir(config.state_dir, command);
    if ('lock' in attempt) {
      if (attempt.tookOver)
        process.stderr.write(`shipwatch: warning: took over the lock of pid ${attempt.tookOver.pid}, which is gone\n`);
      return { lock: attempt.lock };
    }
    const { holder } = attempt;
    if (holder.api) return { agent: { client: new AgentClient(config, holder.api), holder } };
    if (holder.command !== 'run' || Date.now() > deadline) throw lockedError(config.state_dir, holder);
    await sleep(100);
  }
}

/** The agent serving the state directory, for reads; null when none runs there or it serves no API yet. */
export function runningAgent(config: Config): RunningAgent | null {
  const holder = lockHolder(config.state_dir);
  return holder?.api ? { client: new AgentClient(config, holder.api), holder } : null;
}

async function call(agent: RunningAgent, method: string, path: string, body?: unknown): Promise<unknown> {
  const { status, json } = await agent.client.request(method, path, body);
  if (status < 400) return json;
  const message = (json as { error?: { message?: string } } | null)?.error?.message ?? `answered ${status}`;
  const who = `the running agent (pid ${agent.holder.pid}) at ${agent.client.base}`;
  if (status === 401)
    throw new ShipwatchError('SW_USAGE', `${who} needs a token: pass --token-file FILE or --config of the agent`);
  // A bad baseline or an unknown workload is the caller's to fix, as without an agent: exit 2.
  if (status === 400 || status === 404) throw new ShipwatchError('SW_USAGE', `${message} (${who})`);
  throw new ShipwatchError('SW_AGENT_UNREACHABLE', `${who}: ${message}`);
}

const baselinePath = (workload: string) => `/api/baselines/${encodeURIComponent(workload)}`;

export function announce(agent: RunningAgent, stateDir: string): void {
  process.stderr.write(
    `shipwatch: applied through the API of the agent running on ${stateDir} (pid ${agent.holder.pid}, ${agent.client.base})\n`,
  );
}

export async function importThroughAgent(agent: RunningAgent, baselines: readonly WorkloadBaseline[]): Promise<void> {
  for (const baseline of baselines) {
    await call(agent, 'PUT', baselinePath(baseline.workload), baseline);
    process.stdout.write(`imported ${baseline.workload}\n`);
  }
}

export async function resetThroughAgent(agent: RunningAgent, workload: string | undefined): Promise<void> {
  const workloads =
    workload !== undefined
      ? [workload]
      : ((await call(agent, 'GET', '/api/baselines')) as { workload: string }[]).map((b) => b.workload);
  for (const name of workloads) {
    await call(agent, 'DELETE', baselinePath(name));
    process.stdout.write(`reset ${name}\n`);
  }
}

/** The agent's baselines (all, or one workload's), as `baseline show|export` print them. */
export async function baselinesFromAgent(
  agent: RunningAgent,
  workload: string | undefined,
): Promise<WorkloadBaseline[]> {
  const workloads =
    workload !== undefined
      ? [workload]
      : ((await call(agent, 'GET', '/api/baselines')) as { workload: string }[]).map((b) => b.workload);
  const baselines: WorkloadBaseline[] = [];
  for (const name of workloads) {
    // `state` is the agent's view of the phase, not part of the baseline.
    const { state: _state, ...baseline } = (await call(agent, 'GET', baselinePath(name))) as Record<string, unknown>;
    baselines.push(parseBaseline(baseline, name));
  }
  return baselines;
}
