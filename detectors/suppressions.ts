// Config `suppressions`: silence one known-good behaviour of one workload without turning a rule
// off for everyone. `workload` and `match` take `*` wildcards; `match` is tested against the
// finding's key (a destination like 203.0.113.20:443/tcp, an exe path, a file path, a metric).
// Suppressed findings are counted per suppression and handed on as such, never silently lost.
import type { Finding, RuleId } from '../findings/index.ts';

export interface Suppression {
  workload: string;
  rule: RuleId;
  match?: string;
  reason?: string;
}

export interface SuppressionStatus extends Suppression {
  /** How many findings it has silenced since the agent started. */
  suppressed: number;
  lastSuppressed: number | null;
}

function glob(pattern: string): RegExp {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`);
}

interface Compiled {
  spec: Suppression;
  workload: RegExp;
  match: RegExp | null;
  count: number;
  last: number | null;
}

export class Suppressions {
  readonly #list: Compiled[];

  constructor(specs: readonly Suppression[]) {
    this.#list = specs.map((spec) => ({
      spec,
      workload: glob(spec.workload),
      match: spec.match === undefined ? null : glob(spec.match),
      count: 0,
      last: null,
    }));
  }

  /** The suppression that silences this finding (and counts it), or null. */
  check(finding: Finding, now: number): Suppression | null {
    const workload = finding.container?.workload ?? '';
    for (const s of this.#list) {
      if (s.spec.rule !== finding.rule || !s.workload.test(workload)) continue;
      if (s.match && !s.match.test(finding.key)) continue;
      s.count += 1;
      s.last = now;
      return s.spec;
    }
    return null;
  }

  status(): SuppressionStatus[] {
    return this.#list.map((s) => ({ ...s.spec, suppressed: s.count, lastSuppressed: s.last }));
  }
}
