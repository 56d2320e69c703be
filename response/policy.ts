// Automatic response: maps an alert's rule (first) or severity to isolate or pause. Off unless
// configured; with dry_run only the audit alert says what would have happened; exempt workloads
// are never touched; and a rate limit keeps a noisy rule from quarantining the whole host.
import type { ContainerRef } from '../collector/events.ts';
import type { Severity } from '../findings/index.ts';
import type { ResponseService } from './service.ts';

export interface PolicyConfig {
  auto: Readonly<Record<string, 'isolate' | 'pause'>>;
  dry_run: boolean;
  exempt_workloads: readonly string[];
  max_actions_per_hour: number;
}

/** The parts of an alert the policy looks at. */
export interface AlertForPolicy {
  id: string;
  rule: string;
  severity: Severity;
  summary: string;
  container: ContainerRef | null;
}

export type PolicyDecision =
  { action: 'none'; why: string } | { action: 'isolate' | 'pause'; dryRun: boolean; container: ContainerRef };

const HOUR_MS = 3_600_000;
// Audit alerts are the policy's own output; acting on them would loop.
const NEVER_ACT_ON = new Set(['container_isolated', 'container_released']);

export class AutoResponder {
  readonly #config: PolicyConfig;
  readonly #service: ResponseService;
  readonly #now: () => number;
  readonly #recent: number[] = [];
  readonly #handled = new Set<string>();
  /** Actions refused by the rate limit, for the log and tests. */
  rateLimited = 0;

  constructor(config: PolicyConfig, service: ResponseService, now: () => number = Date.now) {
    this.#config = config;
    this.#service = service;
    this.#now = now;
  }

  get enabled(): boolean {
    return Object.keys(this.#config.auto).length > 0;
  }

  decide(alert: AlertForPolicy): PolicyDecision {
    if (NEVER_ACT_ON.has(alert.rule)) return { action: 'none', why: 'audit alert' };
    const action = this.#config.auto[alert.rule] ?? this.#config.auto[alert.severity];
    if (!action) return { action: 'none', why: 'no policy for this rule or severity' };
    if (!alert.container) return { action: 'none', why: 'alert names no container' };
    if (this.#config.exempt_workloads.includes(alert.container.workload)) {
      return { action: 'none', why: `workload ${alert.container.workload} is exempt` };
    }
    const since = this.#now() - HOUR_MS;
    while (this.#recent.length && (this.#recent[0] ?? 0) < since) this.#recent.shift();
    if (this.#recent.length >= this.#config.max_actions_per_hour) {
      this.rateLimited++;
      return { action: 'none', why: `rate limit of ${this.#config.max_actions_per_hour} actions per hour reached` };
    }
    return { action, dryRun: this.#config.dry_run, container: alert.container };
  }

  /** Acts on one alert (once per container and action); returns the decision taken. */
  async handle(alert: AlertForPolicy): Promise<PolicyDecision> {
    const decision = this.decide(alert);
    if (decision.action === 'none') return decision;
    const onceKey = `${decision.container.id}:${decision.action}`;
    if (this.#handled.has(onceKey)) return { action: 'none', why: 'already acted on this container' };
    this.#handled.add(onceKey);
    this.#recent.push(this.#now());
    const reason = `automatic response to ${alert.rule}: ${alert.summary}`;
    if (decision.dryRun) {
      this.#service.auditDryRun(decision.container, decision.action, reason, alert.id);
    } else if (decision.action === 'isolate') {
      await this.#service.isolate(decision.container.id, { actor: 'policy', reason, alertId: alert.id, pause: false });
    } else {
      await this.#service.pause(decision.container.id, 'policy', reason, alert.id, decision.container.workload);
    }
    return decision;
  }

  /** After a release, the same container may be acted on again. */
  forget(containerId: string): void {
    for (const key of [...this.#handled]) if (key.startsWith(`${containerId}:`)) this.#handled.delete(key);
  }
}
