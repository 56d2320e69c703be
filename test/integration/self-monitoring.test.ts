// The agent's own health in /metrics, from a real agent on the private daemon: build info, and
// shipwatch_source_up agreeing with /healthz source by source.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { waitFor } from '../support/wait.ts';

const VERSION = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
).version;

describe('self-monitoring metrics of a running agent', () => {
  let agent: AgentProcess;
  const metrics = async () => (await fetch(`${agent.baseUrl}/metrics`)).text();

  beforeAll(async () => {
    agent = await startAgent();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  it('exports shipwatch_build_info with the package version and the Node.js version', async () => {
    expect(await metrics()).toContain(`shipwatch_build_info{version="${VERSION}",node="${process.version}"} 1`);
  });

  it('exports shipwatch_source_up per /healthz source, 1 for up and degraded', async () => {
    await waitFor(async () => (await metrics()).includes('shipwatch_source_up{source="docker"} 1'), {
      what: 'docker up in /metrics',
    });
    // Both sides follow the agent's state (/metrics computes source_up when read), and a source
    // may still be changing (stats starts at its first round, a bridge attaches): compare a
    // /metrics read with /healthz read just before and just after it, and retry until the two
    // /healthz reads agree, so the comparison is with the state the scrape saw.
    const healthz = async () =>
      (
        (await (await fetch(`${agent.baseUrl}/healthz`)).json()) as {
          sources: Record<string, { state: string }>;
        }
      ).sources;
    await waitFor(
      async () => {
        const before = await healthz();
        const text = await metrics();
        const after = await healthz();
        if (JSON.stringify(before) !== JSON.stringify(after)) return false;
        const wrong = Object.entries(after).filter(([source, { state }]) =>
          state === 'disabled'
            ? text.includes(`source="${source}"`)
            : !text.includes(
                `shipwatch_source_up{source="${source}"} ${state === 'up' || state === 'degraded' ? 1 : 0}`,
              ),
        );
        // Thrown, not returned: waitFor's timeout names the last mismatch.
        if (wrong.length > 0)
          throw new Error(`source_up disagrees for ${wrong.map(([s, { state }]) => `${s} (${state})`).join(', ')}`);
        return true;
      },
      { what: 'source_up matching /healthz' },
    );
  });

  it('registers shipwatch_events_lost_total at 0 for every event source', async () => {
    const text = await metrics();
    for (const source of ['docker', 'packets', 'processes', 'files', 'stats'])
      expect(text).toMatch(new RegExp(`shipwatch_events_lost_total\\{source="${source}"\\} \\d+`));
  });
});
