// risky_container_config (one alert per container with every finding, on create or start, never
// twice for the same container and settings) and insecure_daemon_config (at agent start and
// whenever the daemon's posture changes). The file says docker-config, not config: in shipwatch
// "config" is its own settings (agent/config.ts, ctx.config); these rules judge Docker's.
import type { ShipwatchEvent } from '../../collector/events.ts';
import type { ContainerInfo } from '../../collector/inventory-types.ts';
import { severityRank, type Severity, type ConfigFinding, type Finding } from '../../findings/index.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { configFindings } from '../container-checks.ts';
import { daemonFindings } from '../daemon-checks.ts';
import { who } from '../describe.ts';

export interface ConfigState {
  /** container id → fingerprint of the findings already reported. */
  reported: Map<string, string>;
  daemon: string | null;
  /** From the last daemon.posture: the daemon remaps users, so root inside is not host root. */
  daemonUserns: boolean;
}

function worst(findings: ConfigFinding[]): Severity {
  return findings.reduce<Severity>((w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w), 'info');
}

/** Low-only findings (writable root fs, no memory limit) are real but rarely urgent: medium at most. */
function alertSeverity(findings: ConfigFinding[]): Severity {
  const w = worst(findings);
  return severityRank(w) < severityRank('medium') ? 'low' : w;
}

function containerStep(state: ConfigState, info: ContainerInfo, at: number, ctx: DetectorContext): Finding[] {
  const findings = configFindings(info, ctx.config.trustedRegistries, state.daemonUserns);
  const fingerprint = findings.map((f) => f.id).join(',');
  if (findings.length === 0 || state.reported.get(info.id) === fingerprint) return [];
  state.reported.set(info.id, fingerprint);
  const container = { id: info.id, name: info.name, image: info.image, workload: info.workload };
  const serious = findings.filter((f) => f.severity !== 'low');
  const listed = (serious.length ? serious : findings).map((f) => f.description);
  const more = findings.length - listed.length;
  return [
    {
      rule: 'risky_container_config',
      severity: alertSeverity(findings),
      container,
      key: 'config',
      summary: `${who(container)} ${listed.join('; ')}${more > 0 ? ` (+${more} low-severity findings)` : ''}; image ${info.image}`,
      details: { config: { findings } },
      at,
    },
  ];
}

function daemonStep(state: ConfigState, event: Extract<ShipwatchEvent, { kind: 'daemon.posture' }>): Finding[] {
  state.daemonUserns = event.posture.userNamespaces;
  const findings = daemonFindings(event.posture);
  const fingerprint = findings.map((f) => f.id).join(',');
  if (state.daemon === fingerprint) return [];
  state.daemon = fingerprint;
  if (findings.length === 0) return [];
  return [
    {
      rule: 'insecure_daemon_config',
      severity: alertSeverity(findings),
      container: null,
      key: 'daemon',
      summary: `the Docker daemon on ${event.host} (version ${event.posture.version}) ${findings.map((f) => f.description).join('; ')}`,
      details: { config: { findings } },
      at: event.at,
    },
  ];
}

export const configDetector: Detector<ConfigState> = {
  name: 'config',
  initialState: () => ({ reported: new Map(), daemon: null, daemonUserns: false }),
  step(state: ConfigState, event: ShipwatchEvent, ctx: DetectorContext): StepResult<ConfigState> {
    switch (event.kind) {
      case 'container.created':
      case 'container.started':
        return { state, findings: containerStep(state, event.info, event.at, ctx) };
      case 'container.removed':
        state.reported.delete(event.container.id);
        return { state, findings: [] };
      case 'daemon.posture':
        return { state, findings: daemonStep(state, event) };
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.stopped':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exec':
      case 'process.exit':
      case 'file.changed':
      case 'stats.sample':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
