// What `run` checks before it builds anything. First what is the user's to fix (exit 2: the token
// file, a listen address that needs one), then the engine (exit 1), so a bad setting is reported
// at once rather than after the wait. `run` needs an engine that answers: an agent pointed at an
// engine that never answers would otherwise listen, serve an empty inventory and retry in the
// background forever, which on a first run looks like "works, sees nothing". One line and exit 1
// instead, before the journal, queues or baselines are opened.
// Once the engine has answered, losing it is not fatal: DockerSource reconnects with backoff and
// /healthz shows the docker source `down` meanwhile (test/integration/docker-reconnect.test.ts).
import { createDockerClient, waitForEngine } from '../collector/docker/index.ts';
import { ShipwatchError } from '../core/errors.ts';
import type { Config } from './config.ts';
import { assertListenAllowed } from './server.ts';
import { Tokens } from './tokens.ts';

/** A daemon started next to the agent (at boot, or `dockerd &` just before) gets this long. */
export const DOCKER_FIRST_ANSWER_MS = 5000;

/** Resolves when the agent can start; throws the ShipwatchError that says why not otherwise. */
export async function preflight(config: Config, timeoutMs = DOCKER_FIRST_ANSWER_MS): Promise<void> {
  assertListenAllowed(config.listen, Tokens.fromFile(config.token_file));
  await requireEngine(config.docker_host, timeoutMs);
}

/** Resolves once the engine at `dockerHost` answered; throws SW_DOCKER_UNREACHABLE (exit 1) otherwise. */
async function requireEngine(dockerHost: string, timeoutMs: number): Promise<void> {
  const unanswered = await waitForEngine(createDockerClient(dockerHost), timeoutMs);
  if (unanswered === null) return;
  throw new ShipwatchError(
    'SW_DOCKER_UNREACHABLE',
    `no Docker engine answered at ${dockerHost} within ${timeoutMs / 1000} s (${unanswered}); ` +
      'start Docker or point --docker-host at it, or try `npm run demo`, which brings up a private engine',
  );
}
