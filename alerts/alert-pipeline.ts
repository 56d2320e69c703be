// The one door for raising an alert: `raise(finding)`. In this order: build or dedup, journal
// (fsync'd), metrics, log line, live stream, sink queues. Nothing after the journal can lose the
// alert, and nothing before it has told anyone.
//
// Repeats of an open alert (same rule, container, key within the dedup window) raise its count in
// memory at once and are written as an update line (same id) at most every `repeatFlushMs`, then
// streamed and handed to the sinks that want repeats (Alertmanager, to keep the alert firing).
// Webhooks get each alert once, at its first occurrence.
//
// alerts/ must not depend on agent/ (DESIGN.md, Layout). So the pipeline takes `AlertsSettings`,
// the few keys it reads, declared here (the agent's frozen Config satisfies it structurally and is
// passed as it is), and it serves no HTTP: the agent registers GET /api/alerts over `journal` and
// GET /api/stream over `stream` (agent/routes/).
import path from 'node:path';
import { AlertFactory, type Alert, type RuleSettings } from './alert.ts';
import { AlertmanagerTransport, type AlertmanagerConfig } from './alertmanager.ts';
import { Journal } from './journal.ts';
import { alertLogFields, logAlert } from './log.ts';
import type { Metrics } from './metrics.ts';
import { QueuedSink } from './queued-sink.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { LiveStream } from './stream.ts';
import { WebhookTransport, type WebhookConfig } from './webhook.ts';
import type { Logger } from '../core/logger.ts';
import type { Finding } from '../findings/index.ts';

/** The configuration keys the alert side reads, named as in the config file; durations in ms. */
export interface AlertsSettings {
  /** Name of this Docker host in every alert. */
  readonly host: string;
  readonly state_dir: string;
  readonly dedup_window: number;
  readonly rules: RuleSettings;
  readonly webhooks: readonly WebhookConfig[];
  /** Every Alertmanager to tell, each through its own queue. */
  readonly alertmanager: readonly AlertmanagerConfig[];
  /** The agent's HTTP address and whether it serves TLS: the alerts' generatorURL points there. */
  readonly listen: string;
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly delivery: { readonly max_queued: number; readonly retry_min: number; readonly retry_max: number };
}

/** The agent's API as a link someone else can follow: a wildcard listen address names the host instead. */
export function agentUrl(config: Pick<AlertsSettings, 'listen' | 'tls' | 'host'>): string {
  const colon = config.listen.lastIndexOf(':');
  const host = config.listen.slice(0, colon);
  const port = config.listen.slice(colon + 1);
  const reachable = host === '0.0.0.0' || host === '[::]' || host === '' ? config.host : host;
  return `${config.tls ? 'https' : 'http'}://${reachable}:${port}`;
}

export interface AlertPipelineOptions {
  config: AlertsSettings;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  repeatFlushMs?: number;
  /** Sink queue bound (entries per sink). */
  maxQueued?: number;
  retry?: RetryPolicy;
  journalMaxBytes?: number;
}

export class AlertPipeline {
  readonly journal: Journal;
  readonly stream: LiveStream;
  readonly sinks: QueuedSink[];
  readonly #factory: AlertFactory;
  readonly #o: AlertPipelineOptions;
  readonly #now: () => number;
  readonly #dirty = new Map<string, Alert>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  #raised = 0;

  constructor(options: AlertPipelineOptions) {
    const { config, metrics, log } = options;
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#factory = new AlertFactory({
      host: config.host,
      dedupWindow: config.dedup_window,
      rules: config.rules,
      now: this.#now,
    });
    this.journal = new Journal({ stateDir: config.state_dir, maxBytes: options.journalMaxBytes });
    this.stream = new LiveStream({ log });
    const transports = [
      ...config.webhooks.map((webhook) => new WebhookTransport(webhook)),
      ...config.alertmanager.map(
        (entry) => new AlertmanagerTransport(entry, { firingFor: config.dedup_window, agentUrl: agentUrl(config) }),
      ),
    ];
    this.sinks = transports.map(
      (transport) =>
        new QueuedSink({
          transport,
          queueDir: path.join(config.state_dir, 'queues', transport.name),
          metrics,
          log,
          maxEntries: options.maxQueued ?? config.delivery.max_queued,
          retry: options.retry ?? { base: config.delivery.retry_min, max: config.delivery.retry_max },
        }),
    );
    this.#timer = setInterval(() => this.#flushRepeats(), options.repeatFlushMs ?? 5000).unref();
  }

  /** New alerts raised since start (repeats of an open alert not counted), for summaries like --pcap's. */
  get raised(): number {
    return this.#raised;
  }

  /** Raises an alert for a finding; null when its rule is disabled. Returns the new or updated alert. */
  raise(finding: Finding): Alert | null {
    if (this.#closed) {
      this.#o.log.warn({ rule: finding.rule, summary: finding.summary }, 'alert raised after shutdown, not recorded');
      return null;
    }
    const raised = this.#factory.raise(finding);
    if (!raised) return null;
    if (raised.kind === 'repeat') {
      this.#dirty.set(raised.alert.id, raised.alert);
      return raised.alert;
    }
    const { alert } = raised;
    const { metrics, log } = this.#o;
    this.#raised += 1;
    metrics.alerts.inc({ rule: alert.rule, severity: alert.severity, workload: alert.container?.workload ?? 'host' });
    try {
      this.journal.append(alert);
    } catch (error) {
      // Disk full or gone: the sink queues live on the same disk, so only stdout is left to tell.
      log.error({ err: error, ...alertLogFields(alert, false) }, 'alert journal write failed');
      return alert;
    }
    metrics.detectionLatency.observe({ rule: alert.rule }, Math.max(0, this.#now() - finding.at) / 1000);
    this.#deliver(alert, false);
    return alert;
  }

  /** Writes pending repeats, gives sinks up to `timeout` ms to drain, closes; undelivered alerts stay queued on disk. */
  async close(timeout = 2000): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#flushRepeats();
    this.#closed = true;
    await Promise.all(this.sinks.map((sink) => sink.flush(timeout)));
    await Promise.all(this.sinks.map((sink) => sink.close()));
    this.stream.close();
    this.journal.close();
  }

  #flushRepeats(): void {
    const repeats = [...this.#dirty.values()];
    this.#dirty.clear();
    for (const alert of repeats) {
      try {
        this.journal.append(alert);
      } catch (error) {
        this.#o.log.error({ err: error, ...alertLogFields(alert, true) }, 'alert journal write failed');
        continue;
      }
      this.#deliver(alert, true);
    }
  }

  #deliver(alert: Alert, repeat: boolean): void {
    logAlert(this.#o.log, alert, repeat);
    this.stream.broadcast('alert', { alert });
    for (const sink of this.sinks) sink.offer(alert, repeat);
  }
}
