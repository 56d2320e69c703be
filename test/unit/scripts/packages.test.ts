// scripts/packages.sh decides what `npm start` does on a fresh machine before any npm install:
// run with a fake dpkg-query (some packages missing) and a fake `id` (not root), nothing is
// installed and the user is told exactly what to run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/packages.sh');

function fakeBin(installed: string[], uid: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-fakebin-'));
  const tool = (name: string, body: string) => {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  };
  tool('dpkg-query', installed.map((pkg) => `echo '${pkg} install ok installed'`).join('\n'));
  tool('id', `echo ${uid}`);
  tool('apt-get', 'echo "apt-get $*" >&2; exit 1'); // must not be reached
  return dir;
}

function ensure(installed: string[], uid: number) {
  const bin = fakeBin(installed, uid);
  return spawnSync('bash', ['-c', `source ${SCRIPT} && ensure_packages "the agent" "\${AGENT_PACKAGES[@]}"`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
}

describe('scripts/packages.sh', () => {
  it('names the missing agent packages and the command that installs them when not root, and fails', () => {
    const result = ensure(['make', 'python3'], 1000);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the agent needs Debian packages that are missing: libpcap-dev g++');
    expect(result.stderr).toContain(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends libpcap-dev g++',
    );
    expect(result.stderr).not.toContain('apt-get update -qq'); // the fake apt-get never ran
  });

  it('does nothing when every agent package is installed', () => {
    const result = ensure(['libpcap-dev', 'g++', 'make', 'python3', 'libjs-d3'], 1000);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('asks only for the build of the agent, not for the test suite', () => {
    const result = ensure([], 1000);
    expect(result.stderr).toContain('missing: libpcap-dev g++ make python3 libjs-d3\n');
    expect(result.stderr).not.toMatch(/docker\.io|chromium|prometheus/);
  });
});
