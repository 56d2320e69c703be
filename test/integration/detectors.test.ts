import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileNameOf } from '../../agent/baseline-store.ts';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

interface LoggedFinding {
  rule: string;
  summary: string;
  container: { name: string; workload: string } | null;
  details: { config?: { findings: { id: string; cis: string | null }[] } };
}

/** Alerts as the agent logs them (one line per alert; repeats of a deduplicated alert left out). */
const findingsOf = (agent: AgentProcess) =>
  agent.logs.filter((l) => l.msg === 'alert' && l.repeat !== true).map((l) => l as unknown as LoggedFinding);

describe('detectors inside the running agent, against the private Docker daemon', () => {
  const name = uniqueName('det');
  const workload = `swt/${name}`;
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgent(['--learn', '3s']);
  });

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(name);
  });

  it('reports the daemon posture of the test daemon as an insecure_daemon_config finding at start', async () => {
    const finding = await waitFor(() => findingsOf(agent).find((f) => f.rule === 'insecure_daemon_config'), {
      what: 'a daemon posture finding',
    });
    expect(finding.container).toBeNull();
    expect(finding.summary).toMatch(/^the Docker daemon on /);
  });

  it('raises one risky_container_config finding for a container started with SYS_ADMIN', async () => {
    await runContainer(name, ['--cap-add', 'SYS_ADMIN', '--label', `shipwatch.workload=${workload}`]);
    const finding = await waitFor(
      () => findingsOf(agent).find((f) => f.rule === 'risky_container_config' && f.container?.name === name),
      { what: 'a risky config finding for the container' },
    );
    expect(finding.container?.workload).toBe(workload);
    const ids = finding.details.config?.findings.map((f) => f.id) ?? [];
    expect(ids).toContain('dangerous_capabilities');
    expect(finding.details.config?.findings.find((f) => f.id === 'dangerous_capabilities')?.cis).toBe('5.4');
    const mine = findingsOf(agent).filter((f) => f.rule === 'risky_container_config' && f.container?.name === name);
    expect(mine).toHaveLength(1);
  });

  it('raises interactive_exec when someone runs docker exec into it', async () => {
    await docker('exec', name, 'true');
    const finding = await waitFor(
      () => findingsOf(agent).find((f) => f.rule === 'interactive_exec' && f.container?.name === name),
      { what: 'an interactive exec finding' },
    );
    expect(finding.summary).toContain('"true"');
  });

  it('serves the workload baseline and keeps it across an agent restart', async () => {
    const learning = (await (await fetch(`${agent.baseUrl}/api/baselines/${encodeURIComponent(workload)}`)).json()) as {
      workload: string;
    };
    expect(learning.workload).toBe(workload);
    expect(await agent.stop()).toBe(0);
    expect(existsSync(path.join(agent.stateDir, 'baselines', fileNameOf(workload)))).toBe(true);
    agent = await startAgent(['--learn', '3s', '--state-dir', agent.stateDir]);
    const restored = await waitFor(
      async () => {
        const res = await fetch(`${agent.baseUrl}/api/baselines/${encodeURIComponent(workload)}`);
        const body = (await res.json()) as { state?: string };
        return body.state === 'monitoring' ? body : null;
      },
      { what: 'the restored baseline to be monitoring', timeout: 15_000 },
    );
    expect(restored.state).toBe('monitoring');
    expect(agent.logs.find((l) => l.msg === 'baselines loaded')?.baselines).toBeGreaterThanOrEqual(1);
  });
});
