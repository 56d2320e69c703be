// `shipwatch baseline` against a state directory a real agent holds: import and reset go through
// the agent's API, so the agent judges with the change at once and never writes the old one back;
// show and export read the API too, so they print what the agent holds, not files that may lag it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineStore, fileNameOf, fromYaml } from '../../agent/baseline-store.ts';
import { parseBaseline } from '../../detectors/baseline.ts';
import { runShipwatch, startAgent, type AgentProcess } from '../support/agent-process.ts';

const workload = 'swt-import/api';
const yaml = `workload: ${workload}\nmode: learned\nfirstSeen: 0\nlearnUntil: 0\nexecutables: [/usr/local/bin/api]\n`;

describe('shipwatch baseline import and reset with an agent running', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-baseline-cli-'));
  const tokenFile = path.join(dir, 'tokens');
  const stateDir = path.join(dir, 'state');
  const file = path.join(stateDir, 'baselines', fileNameOf(workload));
  let agent: AgentProcess;

  beforeAll(async () => {
    writeFileSync(tokenFile, 'soc:baseline-cli-test-token-0123\n');
    agent = await startAgent(['--state-dir', stateDir, '--token-file', tokenFile]);
  });
  afterAll(async () => {
    await agent.stop();
  });

  async function served(): Promise<{ status: number; body: { executables?: string[]; state?: string } }> {
    const res = await fetch(`${agent.baseUrl}/api/baselines/${encodeURIComponent(workload)}`);
    return { status: res.status, body: (await res.json()) as { executables?: string[]; state?: string } };
  }

  it('refuses without the agent’s token, exit 2 pointing to --token-file, and changes nothing', async () => {
    const result = await runShipwatch(['baseline', 'import', '--state-dir', stateDir], { input: yaml });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--token-file');
    expect(result.stderr).toContain(`pid ${agent.child.pid}`);
    expect((await served()).status).toBe(404);
  });

  it('imports through the agent: it serves the new baseline at once and has written it to disk', async () => {
    const result = await runShipwatch(['baseline', 'import', '--state-dir', stateDir, '--token-file', tokenFile], {
      input: yaml,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`imported ${workload}\n`);
    expect(result.stderr).toContain(`applied through the API of the agent running on ${stateDir}`);
    expect((await served()).body).toMatchObject({ executables: ['/usr/local/bin/api'], state: 'monitoring' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ executables: ['/usr/local/bin/api'] });
  });

  it('shows and exports what the agent holds, not the files beside it', async () => {
    // Files the agent has not written (yet): a stale copy of the workload and one it never loaded.
    writeFileSync(file, readFileSync(file, 'utf8').replace('/usr/local/bin/api', '/stale/on/disk'));
    new BaselineStore(stateDir).save(parseBaseline({ ...fromYaml(yaml)[0], workload: 'swt-import/ghost' }));

    const exported = await runShipwatch(['baseline', 'export', workload, '--state-dir', stateDir]);
    const listed = await runShipwatch(['baseline', 'show', '--state-dir', stateDir]);

    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('- /usr/local/bin/api');
    expect(exported.stdout).not.toContain('/stale/on/disk');
    expect(exported.stdout).not.toContain('state:');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${workload}\tmonitoring\tlearned\tegress=0 peers=0 executables=1 paths=0\n`);
    expect(listed.stdout).not.toContain('swt-import/ghost');
  });

  it('exits 2 when show names a workload the agent has no baseline for', async () => {
    const result = await runShipwatch(['baseline', 'show', 'swt-import/ghost', '--state-dir', stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no baseline for workload swt-import/ghost');
  });

  it('resets through the agent: the workload is gone from the agent and from disk', async () => {
    const result = await runShipwatch([
      'baseline',
      'reset',
      workload,
      '--state-dir',
      stateDir,
      '--token-file',
      tokenFile,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`reset ${workload}\n`);
    expect((await served()).status).toBe(404);
    expect(existsSync(file)).toBe(false);
  });

  it('exits 2 for a workload the agent has no baseline for', async () => {
    const result = await runShipwatch([
      'baseline',
      'reset',
      'swt-import/none',
      '--state-dir',
      stateDir,
      '--token-file',
      tokenFile,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no baseline for workload swt-import/none');
  });
});
