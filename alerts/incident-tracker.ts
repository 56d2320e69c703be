// Runs the correlator for the alert pipeline: gives each new alert its incident id before the
// alert is journalled, writes every incident version to the store, and tells listeners (the live
// stream) as an incident opens, grows and closes. Growth is written and told at most once a
// second per incident: a flood of alerts into one incident costs one line a second, not one each.
// Open incidents of an earlier run are taken back at start, so an attack across a restart stays
// one incident.
import type { Alert } from './alert.ts';
import { IncidentCorrelator, type Incident, type IncidentChange } from './incident.ts';
import { IncidentStore } from './incident-store.ts';

export interface IncidentSettings {
  /** ms of quiet after which an incident closes. */
  readonly gap: number;
  /** Bytes per incident file (INCIDENT_RETAIN rotated files are kept besides the active one). */
  readonly max_bytes: number;
  /** Alerts listed per incident (alertCount still counts every one). */
  readonly max_alerts: number;
}

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = { gap: 5 * 60_000, max_bytes: 8 << 20, max_alerts: 200 };

export interface IncidentTrackerOptions {
  stateDir: string;
  host: string;
  settings: IncidentSettings;
  now?: () => number;
  onChange: (incident: Incident, change: IncidentChange) => void;
  onError: (error: unknown) => void;
  flushMs?: number;
}

export class IncidentTracker {
  readonly store: IncidentStore;
  readonly #correlator: IncidentCorrelator;
  readonly #o: IncidentTrackerOptions;
  readonly #dirty = new Map<string, Incident>();
  /** Opened or closed by the alert being raised: told once that alert is journalled (announce). */
  readonly #pending: [Incident, IncidentChange][] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(options: IncidentTrackerOptions) {
    this.#o = options;
    this.store = new IncidentStore(options.stateDir, options.settings.max_bytes);
    this.#correlator = new IncidentCorrelator({
      host: options.host,
      gap: options.settings.gap,
      maxAlerts: options.settings.max_alerts,
    });
    this.#correlator.restore(this.store.query({ state: 'open' }));
    this.#timer = setInterval(() => this.tick(), options.flushMs ?? 1000).unref();
  }

  get open(): Incident[] {
    return this.#correlator.open;
  }

  /** Sets `alert.incident` for a new alert; a repeat keeps its incident open. */
  onAlert(alert: Alert, repeat: boolean): void {
    if (repeat) {
      const incident = this.#correlator.touch(alert);
      if (incident) this.#dirty.set(incident.id, incident);
      return;
    }
    const { incident, change, closed } = this.#correlator.add(alert);
    alert.incident = incident.id;
    for (const done of closed) this.#pending.push([done, 'closed']);
    if (change === 'opened') this.#pending.push([incident, 'opened']);
    else this.#dirty.set(incident.id, incident);
  }

  /** Tells what the last onAlert opened or closed; the pipeline calls it after journalling the alert. */
  announce(): void {
    for (const [incident, change] of this.#pending.splice(0)) this.#emit(incident, change);
  }

  /** Writes pending growth and closes incidents that have been quiet for the gap. */
  tick(now: number = (this.#o.now ?? Date.now)()): void {
    this.announce();
    const grown = [...this.#dirty.values()];
    this.#dirty.clear();
    for (const incident of grown) if (incident.state === 'open') this.#emit(incident, 'grew');
    for (const incident of this.#correlator.closeQuiet(now)) this.#emit(incident, 'closed');
  }

  /** Closes every open incident now (the end of a capture replay: nothing more will come). */
  closeAll(): void {
    this.tick();
    for (const incident of this.#correlator.closeAll()) this.#emit(incident, 'closed');
  }

  /** Writes what is pending; open incidents stay open on disk, taken back at the next start. */
  close(): void {
    clearInterval(this.#timer);
    this.announce();
    const grown = [...this.#dirty.values()];
    this.#dirty.clear();
    for (const incident of grown) this.#emit(incident, 'grew');
  }

  #emit(incident: Incident, change: IncidentChange): void {
    try {
      this.store.write(incident);
    } catch (error) {
      this.#o.onError(error);
    }
    this.#o.onChange(incident, change);
  }
}
