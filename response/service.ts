// Response actions with their audit trail: every isolate, release and pause is carried out by the
// Isolator and then raised as container_isolated / container_released through the alert
// pipeline (journal, sinks, metrics), naming who asked, why, and the alert that prompted it.
import type { ContainerRef } from '../collector/events.ts';
import type { ActionDetails, Finding } from '../findings/index.ts';
import type { IsolationRecord } from './isolation-store.ts';
import type { IsolateOutcome, IsolateRequest, Isolator, ResponseFailure } from './isolate.ts';

export type RaiseFinding = (finding: Finding) => unknown;

function refOf(record: IsolationRecord, image: string): ContainerRef {
  return { id: record.containerId, name: record.name, image, workload: record.workload };
}

export class ResponseService {
  readonly #isolator: Isolator;
  readonly #raise: RaiseFinding;
  readonly #imageOf: (containerId: string) => string;
  readonly #now: () => number;

  constructor(
    isolator: Isolator,
    raise: RaiseFinding,
    imageOf: (containerId: string) => string,
    now: () => number = Date.now,
  ) {
    this.#isolator = isolator;
    this.#raise = raise;
    this.#imageOf = imageOf;
    this.#now = now;
  }

  get isolator(): Isolator {
    return this.#isolator;
  }

  async isolate(idOrName: string, request: IsolateRequest & { dryRun?: boolean }): Promise<IsolateOutcome> {
    const outcome = await this.#isolator.isolate(idOrName, request);
    if (outcome.ok && outcome.changed) {
      const { record } = outcome;
      this.#audit('container_isolated', record, {
        action: request.pause ? 'pause' : 'isolate',
        actor: request.actor,
        reason: request.reason,
        alertId: request.alertId,
        networks: record.networks.map((n) => n.name),
      });
    }
    return outcome;
  }

  async release(idOrName: string, actor: string, reason: string | null): Promise<IsolateOutcome> {
    const outcome = await this.#isolator.release(idOrName);
    if (outcome.ok) {
      this.#audit('container_released', outcome.record, {
        action: 'release',
        actor,
        reason,
        alertId: outcome.record.alertId,
        networks: outcome.record.networks.map((n) => n.name),
      });
    }
    return outcome;
  }

  async pause(
    idOrName: string,
    actor: string,
    reason: string | null,
    alertId: string | null,
    workload: string,
  ): Promise<{ ok: true; changed: boolean } | ResponseFailure> {
    const outcome = await this.#isolator.pause(idOrName);
    if (outcome.ok && outcome.changed) {
      const record: IsolationRecord = {
        containerId: outcome.id,
        name: outcome.name,
        workload,
        networks: [],
        paused: true,
        reason,
        actor,
        alertId,
        isolatedAt: new Date(this.#now()).toISOString(),
      };
      this.#audit('container_isolated', record, { action: 'pause', actor, reason, alertId, networks: [] });
    }
    return outcome;
  }

  /** A dry run of automatic response: only the alert says what would have happened. */
  auditDryRun(container: ContainerRef, action: 'isolate' | 'pause', reason: string, alertId: string | null): void {
    this.#raise({
      rule: 'container_isolated',
      container,
      key: `dry-run:${alertId ?? action}`,
      summary: `${container.name} (${container.workload}) would have been ${action === 'pause' ? 'paused' : 'isolated'} (dry run): ${reason}`,
      details: { action: { action, actor: 'policy', reason, alertId, dryRun: true } },
      at: this.#now(),
    });
  }

  #audit(rule: 'container_isolated' | 'container_released', record: IsolationRecord, action: ActionDetails): void {
    const container = refOf(record, this.#imageOf(record.containerId));
    const verb =
      rule === 'container_released'
        ? 'released from quarantine, networks restored'
        : action.action === 'pause'
          ? 'paused'
          : `isolated from ${action.networks?.join(', ') || 'its networks'}`;
    const why = action.reason ? `: ${action.reason}` : '';
    this.#raise({
      rule,
      container,
      key: `${action.action}:${this.#now()}`,
      summary: `${record.name} (${record.workload}) ${verb} by ${action.actor}${why}`,
      details: { action },
      at: this.#now(),
    });
  }
}
