import { describe, expect, it } from 'vitest';
import type { ConfigFinding } from '../../../../findings/index.ts';
import { api, posture, started, web } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

const ids = (details: unknown) =>
  (details as { config: { findings: ConfigFinding[] } }).config.findings.map((f) => f.id);

describe('risky_container_config', () => {
  it('raises one alert listing every finding of a risky container, each with its CIS control', () => {
    const h = harness();
    const [finding, ...rest] = h.feed(
      started(h.at(0), api, {
        privileged: true,
        mounts: [
          { type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', readOnly: false },
        ],
        pidMode: 'host',
        capAdd: ['SYS_ADMIN', 'NET_BIND_SERVICE'],
        user: '',
        secretEnvNames: ['DB_PASSWORD'],
        ports: [{ hostIp: '', hostPort: 80, containerPort: '80/tcp' }],
      }),
    );
    expect(rest).toEqual([]);
    expect(finding?.rule).toBe('risky_container_config');
    expect(finding?.severity).toBe('critical');
    expect(ids(finding?.details)).toEqual([
      'privileged',
      'docker_socket',
      'host_pid',
      'dangerous_capabilities',
      'root_user',
      'secret_env',
      'port_all_interfaces',
      'privileged_port',
    ]);
    const findings = (finding?.details as { config: { findings: ConfigFinding[] } }).config.findings;
    expect(findings.find((f) => f.id === 'privileged')?.cis).toBe('5.5');
    expect(finding?.summary).toContain('runs privileged');
    expect(finding?.summary).toContain('DB_PASSWORD');
  });

  it('does not alert twice for the create and start of the same container', () => {
    const h = harness();
    const first = h.feed(started(h.at(0), api, { pidMode: 'host' }, 'container.created'));
    const second = h.feed(started(h.at(1), api, { pidMode: 'host' }, 'container.started'));
    expect([first.length, second.length]).toEqual([1, 0]);
  });

  it('stays silent for a hardened container', () => {
    const h = harness();
    expect(h.feed(started(h.at(0), web))).toEqual([]);
  });

  it('reports low-only findings at low severity', () => {
    const h = harness();
    const [finding] = h.feed(started(h.at(0), web, { readonlyRootfs: false, memoryLimitBytes: 0 }));
    expect(finding?.severity).toBe('low');
    expect(ids(finding?.details)).toEqual(['writable_rootfs', 'no_memory_limit']);
  });

  it('flags an image outside the trusted registries when some are configured', () => {
    const h = harness({ trustedRegistries: ['registry.example.internal'] });
    const [finding] = h.feed(started(h.at(0), web));
    expect(ids(finding?.details)).toEqual(['untrusted_registry']);
  });

  it('does not call root risky when the daemon remaps users', () => {
    const h = harness();
    h.feed(posture(h.at(0), { userNamespaces: true }));
    expect(h.feed(started(h.at(1), web, { user: 'root' }))).toEqual([]);
  });
});

describe('insecure_daemon_config', () => {
  it('alerts on a daemon exposing TCP without TLS, naming each weakness', () => {
    const h = harness();
    const [finding] = h.feed(posture(h.at(0), { tcpWithoutTls: true, interContainerCommunication: true }));
    expect(finding?.rule).toBe('insecure_daemon_config');
    expect(finding?.container).toBeNull();
    expect(finding?.severity).toBe('critical');
    expect(ids(finding?.details)).toEqual(['tcp_without_tls', 'icc_enabled']);
  });

  it('alerts again only when the posture changes', () => {
    const h = harness();
    const a = h.feed(posture(h.at(0), { liveRestore: false }));
    const b = h.feed(posture(h.at(1), { liveRestore: false }));
    const c = h.feed(posture(h.at(2), { liveRestore: false, tcpWithoutTls: true }));
    expect([a.length, b.length, c.length]).toEqual([1, 0, 1]);
  });

  it('stays silent for a hardened daemon', () => {
    const h = harness();
    expect(h.feed(posture(h.at(0)))).toEqual([]);
  });
});
