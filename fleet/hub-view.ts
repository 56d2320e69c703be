// The hub's view of the fleet, built from NATS alone: every alert of the alerts stream (read with
// an ordered consumer from its first message, then live), every host's last heartbeat (the hosts
// bucket), and the shared baselines with their history. Kept in memory, bounded; restarting the
// hub rebuilds it from the stream.
import { DeliverPolicy } from '@nats-io/jetstream';
import type { FleetHandles } from './bus.ts';
import { ALERTS_STREAM } from './subjects.ts';
import { HOST_FORMAT, STALE_AFTER_MS, type Heartbeat } from './publish.ts';
import { BASELINE_FORMAT } from './baseline-sync.ts';

/** Alerts kept for the API: the newest this many. */
export const HUB_MAX_ALERTS = 20_000;

export interface HubAlert {
  id: string;
  host: string;
  rule: string;
  time?: string;
  container?: { name?: string; workload?: string } | null;
  [key: string]: unknown;
}

export interface HostView {
  host: string;
  version: string;
  health: unknown;
  containers: number;
  lastSeen: string;
  state: 'live' | 'stale';
}

export class HubView {
  /** id → alert, in stream order (a Map keeps insertion order). */
  readonly #alerts = new Map<string, HubAlert>();
  readonly #hosts = new Map<string, Heartbeat>();
  /** Stream messages whose alert id was already stored: should stay 0 (message-id dedup). */
  duplicates = 0;
  #stops: (() => void)[] = [];
  #handles: FleetHandles | null = null;
  readonly #listeners = new Set<(alert: HubAlert) => void>();

  get handles(): FleetHandles | null {
    return this.#handles;
  }

  onAlert(listener: (alert: HubAlert) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(handles: FleetHandles): Promise<void> {
    this.#handles = handles;
    const consumer = await handles.js.consumers.get(ALERTS_STREAM, { deliver_policy: DeliverPolicy.All });
    // Short pulls with frequent heartbeats: when the node holding the (R1, ephemeral) ordered
    // consumer dies, two missed heartbeats make the client recreate it on a live node from the
    // next stream sequence. The defaults (30 s pulls) would leave the hub blind for a minute.
    const messages = await consumer.consume({ expires: 4000, idle_heartbeat: 1000 });
    this.#stops.push(() => void messages.close());
    void (async () => {
      for await (const msg of messages) {
        let alert: HubAlert;
        try {
          alert = msg.json<HubAlert>();
        } catch {
          continue;
        }
        if (typeof alert.id !== 'string') continue;
        if (this.#alerts.has(alert.id)) this.duplicates += 1;
        this.#alerts.set(alert.id, alert);
        if (this.#alerts.size > HUB_MAX_ALERTS) this.#alerts.delete(this.#alerts.keys().next().value as string);
        for (const listener of this.#listeners) listener(alert);
      }
    })().catch(() => undefined);
    const watch = await handles.hosts.watch();
    this.#stops.push(() => watch.stop());
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue;
        try {
          const beat = entry.json<Heartbeat>();
          if (beat.format === HOST_FORMAT && typeof beat.host === 'string') this.#hosts.set(beat.host, beat);
        } catch {
          // not a heartbeat: ignored
        }
      }
    })().catch(() => undefined);
  }

  alerts(filter: { host?: string | null; rule?: string | null; workload?: string | null; limit?: number }): HubAlert[] {
    const out: HubAlert[] = [];
    const all = [...this.#alerts.values()];
    for (let i = all.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const alert = all[i];
      if (!alert) continue;
      if (filter.host && alert.host !== filter.host) continue;
      if (filter.rule && alert.rule !== filter.rule) continue;
      if (filter.workload && alert.container?.workload !== filter.workload) continue;
      out.push(alert);
    }
    return out;
  }

  hosts(now = Date.now()): HostView[] {
    return [...this.#hosts.values()]
      .map((beat) => ({
        host: beat.host,
        version: beat.version,
        health: beat.health,
        containers: beat.containers,
        lastSeen: beat.at,
        state: now - Date.parse(beat.at) > STALE_AFTER_MS ? ('stale' as const) : ('live' as const),
      }))
      .sort((a, b) => a.host.localeCompare(b.host));
  }

  /** Every host's containers (from heartbeats with inventory), each with its host. */
  containers(): unknown[] {
    return [...this.#hosts.values()].flatMap((beat) =>
      (beat.inventory ?? []).map((container) => ({ host: beat.host, ...(container as object) })),
    );
  }

  /** The shared baselines: current entry of each workload, and each one's history (the audit trail). */
  async baselines(withHistory: boolean): Promise<unknown[]> {
    const handles = this.#handles;
    if (!handles) return [];
    const out: unknown[] = [];
    for await (const key of await handles.baselines.keys()) {
      const entry = await handles.baselines.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const current = describe(entry.json(), entry.revision);
      if (!current) continue;
      if (withHistory) {
        const history: unknown[] = [];
        for await (const old of await handles.baselines.history({ key })) {
          history.push(
            old.operation === 'PUT' ? describe(old.json(), old.revision) : { revision: old.revision, op: 'reset' },
          );
          if (old.revision === entry.revision) break;
        }
        out.push({ ...current, history });
      } else out.push(current);
    }
    return out;
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}

function describe(raw: unknown, revision: number): Record<string, unknown> | null {
  const envelope = raw as {
    format?: unknown;
    host?: unknown;
    by?: unknown;
    op?: unknown;
    at?: unknown;
    baseline?: { workload?: unknown };
  };
  if (envelope?.format !== BASELINE_FORMAT || typeof envelope.baseline?.workload !== 'string') return null;
  return {
    workload: envelope.baseline.workload,
    revision,
    host: envelope.host,
    by: envelope.by,
    op: envelope.op,
    at: envelope.at,
    baseline: envelope.baseline,
  };
}
