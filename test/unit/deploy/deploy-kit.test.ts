// The deployment kit says the same thing everywhere: the compose file, the systemd unit, the
// Dockerfile's run example and the README grant exactly the capabilities the README's Privileges
// table documents, and the YAML files parse.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md');
const PRIVILEGES = README.slice(README.indexOf('\n## Privileges\n'), README.indexOf('\n## Deployment\n'));
const DOCUMENTED = [...PRIVILEGES.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]).sort();
const capsOfRunLine = (text: string) => [...text.matchAll(/--cap-add ([A-Z_]+)/g)].map((m) => m[1]).sort();

interface Service {
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  network_mode?: string;
  pid?: string;
  cgroup?: string;
  volumes?: string[];
}

describe('the deployment kit', () => {
  it('documents four capabilities in the README', () => {
    expect(DOCUMENTED).toEqual(['DAC_READ_SEARCH', 'NET_ADMIN', 'NET_RAW', 'SYS_PTRACE']);
  });

  it('runs the compose service with exactly those, host namespaces and never privileged', () => {
    const compose = parse(read('deploy/compose.yaml')) as { services: { shipwatch: Service } };
    const service = compose.services.shipwatch;
    expect(service.privileged).toBeUndefined();
    expect([...(service.cap_add ?? [])].sort()).toEqual(DOCUMENTED);
    expect(service.cap_drop).toEqual(['ALL']);
    expect([service.network_mode, service.pid, service.cgroup]).toEqual(['host', 'host', 'host']);
    expect(service.volumes).toEqual(
      expect.arrayContaining([
        '/var/run/docker.sock:/var/run/docker.sock',
        '/var/lib/docker:/var/lib/docker:ro',
        '/sys/fs/cgroup:/sys/fs/cgroup:ro',
      ]),
    );
  });

  it('bounds the systemd unit to the same capabilities', () => {
    const unit = read('deploy/shipwatch.service');
    const bounding = /^CapabilityBoundingSet=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    expect(bounding.map((c) => c.replace(/^CAP_/, '')).sort()).toEqual(DOCUMENTED);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^ExecStart=\S*node \S*bin\/shipwatch\.js run /m);
  });

  it('shows the same capabilities in the Dockerfile and the README run commands', () => {
    expect(capsOfRunLine(read('Dockerfile'))).toEqual(DOCUMENTED);
    expect(capsOfRunLine(README.slice(README.indexOf('\n## Deployment\n')))).toEqual(DOCUMENTED);
    expect(read('Dockerfile')).not.toMatch(/--privileged|privileged: true/);
  });

  it('has a Prometheus scrape example and Grafana provisioning that parse', () => {
    const prometheus = parse(read('deploy/prometheus.yml')) as {
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    expect(prometheus.scrape_configs[0]).toMatchObject({ job_name: 'shipwatch', metrics_path: '/metrics' });
    expect(prometheus.scrape_configs[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:9477']);
    const grafana = parse(read('deploy/grafana/provisioning.yaml')) as { providers: { type: string }[] };
    expect(grafana.providers[0]?.type).toBe('file');
    for (const file of ['shipwatch-traffic.json', 'shipwatch-alerts.json', 'shipwatch-agent.json'])
      expect(existsSync(path.join(ROOT, 'dashboards/grafana', file)), file).toBe(true);
  });
});
