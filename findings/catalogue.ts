// The fixed rule ids of DESIGN.md, with their default severity, MITRE ATT&CK mapping, tags and
// the file that raises each.
// Users, dashboards and acceptance checks depend on these names: never rename one.

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export interface Mitre {
  tactic: string;
  technique: string;
}

export interface RuleSpec {
  severity: Severity;
  mitre: Mitre | null;
  tags: readonly string[];
  /** Repo-relative path of the file that raises the rule, so a rule id leads to its code in one hop. */
  file: string;
}

export const RULES = {
  unexpected_egress: {
    severity: 'high',
    mitre: { tactic: 'exfiltration', technique: 'T1041' },
    tags: ['network'],
    file: 'detectors/rules/network.ts',
  },
  unexpected_inbound: {
    severity: 'medium',
    mitre: { tactic: 'initial_access', technique: 'T1133' },
    tags: ['network'],
    file: 'detectors/rules/network.ts',
  },
  cross_segment_traffic: {
    severity: 'high',
    mitre: { tactic: 'lateral_movement', technique: 'T1021' },
    tags: ['network'],
    file: 'detectors/rules/network.ts',
  },
  new_peer: {
    severity: 'medium',
    mitre: { tactic: 'lateral_movement', technique: 'T1021' },
    tags: ['network'],
    file: 'detectors/rules/network.ts',
  },
  unexpected_process: {
    severity: 'medium',
    mitre: { tactic: 'execution', technique: 'T1059' },
    tags: ['process'],
    file: 'detectors/rules/process.ts',
  },
  suspicious_process: {
    severity: 'high',
    mitre: { tactic: 'execution', technique: 'T1059' },
    tags: ['process'],
    file: 'detectors/rules/process.ts',
  },
  interactive_exec: {
    severity: 'low',
    mitre: { tactic: 'execution', technique: 'T1609' },
    tags: ['process'],
    file: 'detectors/rules/exec.ts',
  },
  sensitive_file_change: {
    severity: 'high',
    mitre: { tactic: 'persistence', technique: 'T1543' },
    tags: ['filesystem'],
    file: 'detectors/rules/files.ts',
  },
  unexpected_file_change: {
    severity: 'low',
    mitre: { tactic: 'defense_evasion', technique: 'T1222' },
    tags: ['filesystem'],
    file: 'detectors/rules/files.ts',
  },
  // On process.exec, beside the other process rules: drift is judged first so one exec raises one alert.
  drift_executable: {
    severity: 'critical',
    mitre: { tactic: 'execution', technique: 'T1204' },
    tags: ['process'],
    file: 'detectors/rules/process.ts',
  },
  resource_anomaly: {
    severity: 'medium',
    mitre: { tactic: 'impact', technique: 'T1496' },
    tags: ['resource'],
    file: 'detectors/rules/resource.ts',
  },
  risky_container_config: {
    severity: 'medium',
    mitre: { tactic: 'privilege_escalation', technique: 'T1611' },
    tags: ['config'],
    file: 'detectors/rules/docker-config.ts',
  },
  insecure_daemon_config: {
    severity: 'medium',
    mitre: { tactic: 'privilege_escalation', technique: 'T1611' },
    tags: ['config'],
    file: 'detectors/rules/docker-config.ts',
  },
  egress_volume: {
    severity: 'high',
    mitre: { tactic: 'exfiltration', technique: 'T1048' },
    tags: ['network'],
    file: 'detectors/rules/volume.ts',
  },
  port_scan: {
    severity: 'medium',
    mitre: { tactic: 'discovery', technique: 'T1046' },
    tags: ['network'],
    file: 'detectors/rules/scan.ts',
  },
  metadata_service_access: {
    severity: 'high',
    mitre: { tactic: 'credential_access', technique: 'T1552.005' },
    tags: ['network'],
    file: 'detectors/rules/metadata.ts',
  },
  crypto_mining: {
    severity: 'critical',
    mitre: { tactic: 'impact', technique: 'T1496' },
    tags: ['network', 'process'],
    file: 'detectors/rules/mining.ts',
  },
  reverse_shell: {
    severity: 'critical',
    mitre: { tactic: 'execution', technique: 'T1059' },
    tags: ['process', 'network'],
    file: 'detectors/rules/shells.ts',
  },
  // T1611 (escape to host); a finding about driving a mounted Docker socket names T1609 instead.
  container_escape: {
    severity: 'critical',
    mitre: { tactic: 'privilege_escalation', technique: 'T1611' },
    tags: ['process'],
    file: 'detectors/rules/escape.ts',
  },
  fileless_execution: {
    severity: 'high',
    mitre: { tactic: 'defense_evasion', technique: 'T1620' },
    tags: ['process'],
    file: 'detectors/rules/evasion.ts',
  },
  log_tampering: {
    severity: 'medium',
    mitre: { tactic: 'defense_evasion', technique: 'T1070' },
    tags: ['filesystem'],
    file: 'detectors/rules/evasion.ts',
  },
  // The audit rules are raised by the response service itself, not by a detector.
  container_isolated: { severity: 'info', mitre: null, tags: ['response'], file: 'response/service.ts' },
  container_released: { severity: 'info', mitre: null, tags: ['response'], file: 'response/service.ts' },
} as const satisfies Record<string, RuleSpec>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value);
}
