// What a detector reports. The alerts side turns a finding into an Alert (DESIGN.md's version-1
// JSON): id, time, host, MITRE mapping, dedup by (rule, container, key).
import type { ContainerRef, FileOp } from '../collector/events.ts';
import type { Mitre, RuleId, Severity } from './catalogue.ts';

export interface FlowDetails {
  protocol: string;
  src: { ip: string; port: number | null };
  dst: { ip: string; port: number | null; name: string | null };
  network: string;
  bytes: number;
  packets: number;
  /** For container-to-container flows: the peer. */
  peer?: ContainerRef | null;
  /** For cross-segment flows: the networks involved and why it crossed. */
  networks?: string[];
  zones?: [string, string];
}

export interface ProcessDetails {
  pid: number;
  ppid: number;
  exe: string;
  cmdline: string;
  uid: number;
  parentExe?: string | null;
  execId?: string | null;
  /** For reverse_shell: the connection the process's standard input or output is. */
  socket?: { local: string; remote: string | null };
}

export interface FileDetails {
  path: string;
  op: FileOp;
}

export interface ResourceDetails {
  metric: 'cpu' | 'memory' | 'network_rx' | 'network_tx' | 'pids';
  value: number;
  baseline: number;
  score: number;
}

export interface ConfigFinding {
  id: string;
  description: string;
  severity: Severity;
  /** CIS Docker Benchmark control, where one fits (e.g. "5.4"). */
  cis: string | null;
}

export interface ActionDetails {
  action: 'isolate' | 'release' | 'pause' | 'unpause';
  actor: string;
  reason: string | null;
  alertId: string | null;
  dryRun?: boolean;
  networks?: string[];
}

export type AlertDetails =
  | { flow: FlowDetails }
  | { process: ProcessDetails }
  | { file: FileDetails }
  | { resource: ResourceDetails }
  | { config: { findings: ConfigFinding[] } }
  | { action: ActionDetails };

export interface Finding {
  rule: RuleId;
  /** Overrides the rule's default severity (e.g. a config finding's worst item). */
  severity?: Severity;
  /** Overrides the rule's MITRE mapping where one rule covers two techniques (container_escape). */
  mitre?: Mitre;
  container: ContainerRef | null;
  /** Dedup key within (rule, container): e.g. "203.0.113.10:4444/tcp", an exe path. */
  key: string;
  /** One sentence a SOC analyst understands without the JSON. */
  summary: string;
  details: AlertDetails;
  /** Time of the event that caused it (epoch ms): detection latency is measured from here. */
  at: number;
}
