// What an agent publishes to the fleet: alerts (acknowledged by the stream, deduplicated by the
// alert id), ended flows (best effort: a flow lost while the bus is down is counted, never
// queued, since the agent's own flow log keeps them) and its heartbeat in the hosts bucket.
import type { FleetBus } from './bus.ts';
import { alertSubject, flowSubject, hostKey, servicesKey } from './subjects.ts';
import { SERVICES_FORMAT, type PublishedService, type ServicesEntry } from './service-directory.ts';

export const HOST_FORMAT = 'shipwatch.host/1';
/** How often a host says it is alive; the hub calls a host stale after STALE_AFTER_MS of silence. */
export const HEARTBEAT_MS = 5000;
export const STALE_AFTER_MS = 4 * HEARTBEAT_MS;

export interface Heartbeat {
  format: typeof HOST_FORMAT;
  host: string;
  version: string;
  /** The agent's /healthz status and sources. */
  health: unknown;
  containers: number;
  /** The agent's /api/containers view, when `publish` includes inventory. */
  inventory: unknown[] | null;
  at: string;
}

export class FleetPublisher {
  readonly #bus: FleetBus;
  readonly #host: string;
  flowsDropped = 0;
  flowsPublished = 0;

  constructor(bus: FleetBus, host: string) {
    this.#bus = bus;
    this.#host = host;
  }

  #handles() {
    const handles = this.#bus.handles;
    if (!handles || !this.#bus.connected) throw new Error('fleet bus not connected');
    return handles;
  }

  /** Resolves when the stream stored it (or already had it: a duplicate is a success). */
  async publishAlert(alert: { id: string; rule: string }): Promise<void> {
    const { js } = this.#handles();
    await js.publish(alertSubject(this.#host, alert.rule), JSON.stringify(alert), { msgID: alert.id, timeout: 5000 });
  }

  publishFlow(flow: unknown): void {
    if (!this.#bus.connected || !this.#bus.handles) {
      this.flowsDropped += 1;
      return;
    }
    this.#bus.handles.nc.publish(flowSubject(this.#host), JSON.stringify(flow));
    this.flowsPublished += 1;
  }

  async heartbeat(beat: Omit<Heartbeat, 'format' | 'host' | 'at'>): Promise<void> {
    const { hosts } = this.#handles();
    const full: Heartbeat = { format: HOST_FORMAT, host: this.#host, at: new Date().toISOString(), ...beat };
    await hosts.put(hostKey(this.#host), JSON.stringify(full));
  }

  /** The ports this host's containers publish, for the other agents' flow attribution. */
  async publishServices(services: PublishedService[]): Promise<void> {
    const { hosts } = this.#handles();
    const entry: ServicesEntry = { format: SERVICES_FORMAT, host: this.#host, services, at: new Date().toISOString() };
    await hosts.put(servicesKey(this.#host), JSON.stringify(entry));
  }
}
