// The hub's view of the fleet, built from NATS alone: every alert of the alerts stream (read with
// an ordered consumer from its first message, then live), every host's last heartbeat (the hosts
// bucket), and the shared baselines with their history. Kept in memory, bounded; restarting the
// hub rebuilds it from the stream.
import type { FleetHandles } from './bus.ts';
import { ALERTS_STREAM } from './subjects.ts';
import { HOST_FORMAT, STALE_AFTER_MS, type Heartbeat } from './publish.ts';
import { BASELINE_FORMAT } from './baseline-sync.ts';

/** Alerts kept for the API: the newest this many. */
export const HUB_MAX_ALERTS = 20_000;
const WATCHDOG_MS = 2000;

export interface HubAlert {
  id: string;
  host: string;
  rule: string;
  time?: string;
  lastSeen?: string;
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
  #lastSeq = 0;
  #generation = 0;
  #closeConsumer: (() => void) | null = null;
  readonly #listeners = new Set<(alert: HubAlert) => void>();
  readonly #hostListeners = new Set<(host: string) => void>();
  /** host → its last inventory and container count as JSON: what a page must re-read when it changes. */
  readonly #seenInventory = new Map<string, string>();

  get handles(): FleetHandles | null {
    return this.#handles;
  }

  onAlert(listener: (alert: HubAlert) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called with a host's name when it appears or its containers change (not on every heartbeat). */
  onHostChange(listener: (host: string) => void): () => void {
    this.#hostListeners.add(listener);
    return () => this.#hostListeners.delete(listener);
  }

  async start(handles: FleetHandles): Promise<void> {
    this.#handles = handles;
    await this.#consumeAlerts(handles);
    // The ordered consumer is one ephemeral replica on one node: when that node dies, the client
    // may keep pulling from a consumer that is gone. A watchdog compares the stream's last
    // sequence with what arrived and starts a fresh consumer from the next sequence when the hub
    // has fallen behind for two checks in a row.
    // Imported here, as fleet/bus.ts imports the client: only a hub runs this.
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(handles.nc, { timeout: 3000 });
    let behind = 0;
    const timer = setInterval(() => {
      void jsm.streams
        .info(ALERTS_STREAM)
        .then(async (info) => {
          behind = info.state.last_seq > this.#lastSeq ? behind + 1 : 0;
          if (behind >= 2) {
            behind = 0;
            await this.#consumeAlerts(handles);
          }
        })
        .catch(() => undefined);
    }, WATCHDOG_MS).unref();
    this.#stops.push(() => clearInterval(timer));
    const watch = await handles.hosts.watch();
    this.#stops.push(() => watch.stop());
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue;
        try {
          const beat = entry.json<Heartbeat>();
          if (beat.format === HOST_FORMAT && typeof beat.host === 'string') this.#noteHeartbeat(beat);
        } catch {
          // not a heartbeat: ignored
        }
      }
    })().catch(() => undefined);
  }

  #noteHeartbeat(beat: Heartbeat): void {
    this.#hosts.set(beat.host, beat);
    const inventory = JSON.stringify([beat.containers, beat.inventory]);
    if (this.#seenInventory.get(beat.host) === inventory) return;
    this.#seenInventory.set(beat.host, inventory);
    for (const listener of this.#hostListeners) listener(beat.host);
  }

  /** (Re)starts reading the alerts stream after the last sequence seen. */
  async #consumeAlerts(handles: FleetHandles): Promise<void> {
    this.#closeConsumer?.();
    const generation = ++this.#generation;
    const { DeliverPolicy } = await import('@nats-io/jetstream');
    const consumer = await handles.js.consumers.get(
      ALERTS_STREAM,
      this.#lastSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#lastSeq + 1 }
        : { deliver_policy: DeliverPolicy.All },
    );
    // Short pulls with frequent heartbeats, so a lost consumer is noticed in seconds, not a minute.
    const messages = await consumer.consume({ expires: 4000, idle_heartbeat: 1000 });
    this.#closeConsumer = () => void messages.close();
    void (async () => {
      for await (const msg of messages) {
        if (generation !== this.#generation) break;
        if (msg.seq <= this.#lastSeq) continue;
        this.#lastSeq = msg.seq;
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
  }

  /** Every alert held, oldest first (stream order): what the hub rebuilds incidents from. */
  stored(): IterableIterator<HubAlert> {
    return this.#alerts.values();
  }

  /** Newest first; `since` (ms) keeps alerts last seen at or after it, as the agent's ?since= does. */
  alerts(filter: {
    host?: string | null;
    rule?: string | null;
    workload?: string | null;
    since?: number | null;
    limit?: number;
  }): HubAlert[] {
    const out: HubAlert[] = [];
    const all = [...this.#alerts.values()];
    for (let i = all.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const alert = all[i];
      if (!alert) continue;
      if (filter.host && alert.host !== filter.host) continue;
      if (filter.rule && alert.rule !== filter.rule) continue;
      if (filter.workload && alert.container?.workload !== filter.workload) continue;
      if (filter.since != null && !(Date.parse(alert.lastSeen ?? alert.time ?? '') >= filter.since)) continue;
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
    this.#closeConsumer?.();
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
