// The first contact with the Docker engine, before anything else starts. An agent pointed at an
// engine that never answers would otherwise listen, serve an empty inventory and retry in the
// background forever: on a first run that looks like "works, sees nothing". After this first
// answer, DockerSource's reconnect loop owns the connection (a daemon restart is not fatal).
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';

/** One ping may hang on a tcp:// host that drops packets; give up on it after this long. */
const PING_TIMEOUT_MS = 2000;
const RETRY_EVERY_MS = 250;

// @types/dockerode declares ping() without options; dockerode hands `abortSignal` on to the
// request, which then really ends (a plain timeout race would leave the socket holding the
// process open until the kernel's connect timeout).
type PingWithSignal = (options: { abortSignal: AbortSignal }) => Promise<unknown>;

/** Why a failed ping failed, in a few words: `connect ENOENT /var/run/docker.sock`. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${PING_TIMEOUT_MS} ms`;
    return error.message.split('\n')[0] ?? error.name;
  }
  return String(error);
}

/**
 * Pings until the engine answers or `timeoutMs` has passed (an engine starting next to the agent
 * gets that long). Resolves to null once it answered, else to the last failure's reason.
 */
export async function waitForEngine(docker: Docker, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let reason = 'not tried';
  for (;;) {
    try {
      const ping = (docker.ping as unknown as PingWithSignal).bind(docker);
      await ping({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
      return null;
    } catch (error) {
      reason = reasonOf(error);
    }
    if (Date.now() + RETRY_EVERY_MS >= deadline) return reason;
    await sleep(RETRY_EVERY_MS);
  }
}
