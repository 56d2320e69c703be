// The alert model: DESIGN.md's version-1 JSON built from a detector's Finding, with per-rule
// severity overrides and `enabled`, and dedup of repeats of one (rule, container, key) within the
// dedup window. Pure: ids and time come from injected functions so tests run on a fixed clock.
// The operator's `rules:` settings are applied here and nowhere else (not in the detector runner):
// every finding passes through the factory, from detectors and from response actions alike, so
// one place decides, and a disabled rule is silent whichever part reported it.
import { randomBytes } from 'node:crypto';
import { printable } from '../core/printable.ts';
import type { ContainerRef } from '../collector/events.ts';
import {
  RULES,
  severityRank,
  type AlertDetails,
  type Finding,
  type Mitre,
  type RuleId,
  type Severity,
} from '../findings/index.ts';

/** Long enough for any summary of ours quoting a bounded command line; 10 MB of argv is not quoted whole. */
const MAX_SUMMARY = 2000;

export interface Alert {
  id: string;
  version: 1;
  time: string;
  rule: RuleId;
  severity: Severity;
  summary: string;
  host: string;
  container: ContainerRef | null;
  details: AlertDetails;
  mitre: Mitre | null;
  tags: string[];
  count: number;
  /** The incident this alert belongs to (incident.ts); null until the pipeline has correlated it. */
  incident: string | null;
  firstSeen: string;
  lastSeen: string;
}

export type RuleSettings = Readonly<Partial<Record<RuleId, { enabled: boolean; severity?: Severity | undefined }>>>;

export interface AlertFactoryOptions {
  host: string;
  /** Repeats within this many ms of the previous occurrence raise count instead of a new alert. */
  dedupWindow: number;
  /** Open dedup keys kept at most (default MAX_OPEN_KEYS); past it the longest unseen is forgotten. */
  maxOpen?: number;
  rules?: RuleSettings;
  now?: () => number;
  newId?: () => string;
}

/** A new alert, a repeat of an earlier one (count and lastSeen raised), or nothing (rule disabled). */
export type Raised = { kind: 'new'; alert: Alert } | { kind: 'repeat'; alert: Alert } | null;

export function meetsSeverity(alert: Pick<Alert, 'severity'>, minimum: Severity): boolean {
  return severityRank(alert.severity) >= severityRank(minimum);
}

/**
 * Each open key holds its alert (about 800 bytes for an egress alert). Without a bound, a storm of
 * distinct findings (1 000 a second for the 5 m window) would hold 300 000 of them. A forgotten key
 * only means its next repeat is a new alert: nothing is lost, at worst an alert is told twice.
 */
export const MAX_OPEN_KEYS = 50_000;

export class AlertFactory {
  readonly #o: Required<AlertFactoryOptions>;
  /**
   * dedup key → the latest version of the alert it belongs to and when it was last seen (ms). In
   * the order of last sight (a repeat moves its key to the end), so expiry reads only the front.
   */
  readonly #open = new Map<string, { alert: Alert; at: number }>();

  constructor(options: AlertFactoryOptions) {
    this.#o = {
      rules: {},
      maxOpen: MAX_OPEN_KEYS,
      now: Date.now,
      newId: () => randomBytes(16).toString('hex'),
      ...options,
    };
  }

  /** Rule settings of a reloaded config: enabled and severity apply from the next finding on. */
  setRules(rules: RuleSettings): void {
    this.#o.rules = rules;
  }

  raise(finding: Finding): Raised {
    const settings = this.#o.rules[finding.rule];
    if (settings && !settings.enabled) return null;
    const now = this.#o.now();
    const iso = new Date(now).toISOString();
    const key = `${finding.rule}\u0000${finding.container?.id ?? 'host'}\u0000${finding.key}`;
    const open = this.#open.get(key);
    if (open && now - open.at <= this.#o.dedupWindow) {
      const repeated: Alert = { ...open.alert, count: open.alert.count + 1, lastSeen: iso };
      this.#open.delete(key);
      this.#open.set(key, { alert: repeated, at: now });
      return { kind: 'repeat', alert: repeated };
    }
    const spec = RULES[finding.rule];
    const alert: Alert = {
      id: this.#o.newId(),
      version: 1,
      time: iso,
      rule: finding.rule,
      // The operator's override wins over the detector's own judgement, which wins over the default.
      severity: settings?.severity ?? finding.severity ?? spec.severity,
      // The summary quotes argv, paths and names a container chose: one printable line for every sink.
      summary: printable(finding.summary, MAX_SUMMARY),
      host: this.#o.host,
      container: finding.container,
      details: finding.details,
      mitre: finding.mitre ?? spec.mitre,
      tags: [...spec.tags],
      count: 1,
      incident: null,
      firstSeen: iso,
      lastSeen: iso,
    };
    this.#open.delete(key);
    this.#open.set(key, { alert, at: now });
    this.#expire(now);
    return { kind: 'new', alert };
  }

  /**
   * Forgets dedup entries whose window has passed, and the longest unseen past maxOpen, so memory
   * follows the alert rate, not history, and a storm's rate only up to a bound.
   * Oldest first, up to the first still open: walking the whole map on every new alert made an
   * alert storm quadratic (12 % of the agent's time at 1 000 new alerts/s).
   */
  #expire(now: number): void {
    for (const [key, { at }] of this.#open) {
      if (now - at <= this.#o.dedupWindow && this.#open.size <= this.#o.maxOpen) return;
      this.#open.delete(key);
    }
  }
}
