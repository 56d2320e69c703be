// Wiring of the detectors: builds the runner from the frozen config and read-only lookups over the
// inventory, loads baselines from the state directory at start, saves changed ones every few
// seconds and at stop (agent/routes/ serves them).
import type { Config } from './config.ts';
import type { Logger } from '../core/logger.ts';
import { BaselineStore } from './baseline-store.ts';
import type { ContainerRef, ShipwatchEvent } from '../collector/events.ts';
import type { Inventory } from '../collector/inventory.ts';
import { DETECTORS, DetectorRunner, egressRules, type DetectorConfig, type Phase } from '../detectors/index.ts';
import type { Finding } from '../findings/index.ts';
import type { Suppression } from '../detectors/suppressions.ts';
import { resolverTrust } from './resolver-trust.ts';

/** How often changed baselines are written while workloads learn. */
export const SAVE_INTERVAL_MS = 10_000;

/** The detector part of a validated config: the schema already checked every allowlist entry. */
export function detectorConfig(config: Config): DetectorConfig {
  return {
    learnMs: config.learn,
    egressAllowlist: egressRules(config.egress_allowlist),
    zoneAllow: config.zones.allow,
    trustedRegistries: config.trusted_registries,
  };
}

export interface DetectionOptions {
  config: Config;
  inventory: Inventory;
  log: Logger;
  onFinding: (finding: Finding) => void;
  onSuppressed?: (finding: Finding, by: Suppression) => void;
  clock?: () => number;
}

export class Detection {
  readonly runner: DetectorRunner;
  /** One answer for the DNS-answer check (packets) and the egress rule: who counts as a container's resolver. */
  readonly isResolver: (client: ContainerRef, server: string) => boolean;
  readonly store: BaselineStore;
  readonly #log: Logger;
  /** network → zone of the config, for networks the inventory does not know (yet). */
  #zones: Readonly<Record<string, string>>;
  #timer: NodeJS.Timeout | null = null;
  /** Told of every PUT, import and reset through the API (the fleet writes them as they are). */
  onReplaced: ((workload: string, actor: string) => void) | null = null;

  constructor(o: DetectionOptions) {
    this.#log = o.log;
    this.store = new BaselineStore(o.config.state_dir);
    const loaded = this.store.loadAll();
    for (const error of loaded.errors) o.log.warn({ error }, 'baseline not loaded');
    this.#zones = o.config.zones.networks;
    this.isResolver = resolverTrust(o.config.dns_resolvers, o.inventory, (workload) => this.runner.baseline(workload));
    this.runner = new DetectorRunner({
      config: detectorConfig(o.config),
      detectors: DETECTORS,
      suppressions: o.config.suppressions as Suppression[],
      networksOf: (id) => o.inventory.container(id)?.networks.map((n) => n.name) ?? null,
      zoneOf: (network) => o.inventory.network(network)?.zone ?? this.#zones[network] ?? network,
      isResolver: this.isResolver,
      baselines: loaded.baselines,
      clock: o.clock,
      onFinding: o.onFinding,
      onSuppressed: o.onSuppressed ?? ((finding, by) => o.log.info({ finding, suppression: by }, 'finding suppressed')),
    });
    o.log.info({ baselines: loaded.baselines.length, dir: this.store.dir }, 'baselines loaded');
  }

  readonly handle = (event: ShipwatchEvent): void => {
    this.runner.handle(event);
  };

  /** A reloaded config (SIGHUP): allowlist, zones, trusted registries and suppressions. */
  reconfigure(config: Config): void {
    this.#zones = config.zones.networks;
    this.runner.reconfigure(detectorConfig(config), config.suppressions as Suppression[]);
  }

  /** A baseline replaced or reset through the API, by the token named `actor`. */
  replaced(workload: string, actor: string): void {
    this.onReplaced?.(workload, actor);
  }

  /** `learning` or `monitoring`, for /api/containers. */
  phase(workload: string): Phase {
    return this.runner.phase(workload);
  }

  start(): void {
    this.#timer = setInterval(() => this.flush(), SAVE_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Writes every baseline that changed since the last flush; a failed write is retried next time. */
  flush(): void {
    for (const workload of this.runner.takeDirty()) {
      const baseline = this.runner.baseline(workload);
      try {
        if (baseline) this.store.save(baseline);
        else this.store.remove(workload);
      } catch (error) {
        this.#log.error({ err: error, workload }, 'baseline not saved');
        if (baseline) this.runner.putBaseline(baseline);
      }
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.flush();
  }
}
