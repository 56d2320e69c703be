// The one door for raising an alert: `raise(finding)`. In this order: build or dedup, journal
// (written; fsync'd from the end of the turn, group-sync.ts), metrics, log line, live stream, sink queues. Nothing after the journal can lose the
// alert, and nothing before it has told anyone. An alert the disk refuses reaches stdout at once
// and waits, in order, until the journal takes it (journal-backlog.ts); then it goes on as any.
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
import { catchUpSinks } from './journal-catchup.ts';
import { JournalBacklog } from './journal-backlog.ts';
import { incidentNotice, type Deliverable } from './incident-delivery.ts';
import { DEFAULT_INCIDENT_SETTINGS, IncidentTracker, type IncidentSettings } from './incident-tracker.ts';
import { logAlert } from './log.ts';
import type { Metrics } from './metrics.ts';
import { QueuedSink } from './queued-sink.ts';
import type { AlertTransport } from './sink.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { LiveStream } from './stream.ts';
import { WebhookTransport, type WebhookConfig } from './webhook.ts';
import type { Health } from '../core/health.ts';
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
  /** Correlation of alerts into incidents; defaults when absent. */
  readonly incidents?: IncidentSettings;
}

/** The agent's API as a link someone else can follow: a wildcard listen address names the host instead. */
export function agentUrl(config: Pick<AlertsSettings, 'listen' | 'tls' | 'host'>): string {
  const colon = config.listen.lastIndexOf(':');
  const host = config.listen.slice(0, colon);
  const port = config.listen.slice(colon + 1);
  const reachable = host === '0.0.0.0' || host === '[::]' || host === '' ? config.host : host;
  return `${config.tls ? 'https' : 'http'}://${reachable}:${port}`;
}

interface SinkSpec {
  transport: AlertTransport;
  /** The settings the transport was built from: equal keys, same sink. */
  key: string;
  retry: RetryPolicy;
  maxQueued: number;
}

export interface AlertPipelineOptions {
  config: AlertsSettings;
  metrics: Metrics;
  log: Logger;
  /** Where a failing journal (disk full, read-only) shows, as source `journal`. */
  health?: Health;
  now?: () => number;
  repeatFlushMs?: number;
  /** Sink queue bound (entries per sink). */
  maxQueued?: number;
  retry?: RetryPolicy;
  journalMaxBytes?: number;
  /** Transports that come from the wiring rather than the config (the fleet's): kept across reloads. */
  extraTransports?: readonly AlertTransport[];
}

export class AlertPipeline {
  readonly journal: Journal;
  readonly stream: LiveStream;
  readonly incidents: IncidentTracker;
  /** Replaced as a whole when a reload changes the sinks (SIGHUP). */
  sinks: QueuedSink[];
  readonly #sinkKeys = new WeakMap<QueuedSink, string>();
  /** Alerts raised while a sink is being reopened by reconfigure(), by sink name. */
  readonly #held = new Map<string, [Deliverable, boolean][]>();
  readonly #factory: AlertFactory;
  readonly #backlog: JournalBacklog;
  readonly #o: AlertPipelineOptions;
  readonly #now: () => number;
  readonly #dirty = new Map<string, Alert>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  #raised = 0;

  constructor(options: AlertPipelineOptions) {
    const { config, log } = options;
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#factory = new AlertFactory({
      host: config.host,
      dedupWindow: config.dedup_window,
      rules: config.rules,
      now: this.#now,
    });
    this.journal = new Journal({ stateDir: config.state_dir, maxBytes: options.journalMaxBytes });
    this.#backlog = new JournalBacklog({
      journal: this.journal,
      log,
      health: options.health,
      max: config.delivery.max_queued,
      onJournalled: (alert, repeat) => this.#deliver(alert, repeat),
    });
    this.stream = new LiveStream({ log });
    this.incidents = new IncidentTracker({
      stateDir: config.state_dir,
      host: config.host,
      settings: config.incidents ?? DEFAULT_INCIDENT_SETTINGS,
      now: this.#now,
      onChange: (incident, change) => {
        this.stream.broadcast('incident', { change, incident });
        // Growth is a repeat: the sinks that want repeats (Alertmanager) keep the incident firing.
        const notice = incidentNotice(incident, change);
        for (const sink of this.sinks) sink.offer(notice, change === 'grew');
        for (const held of this.#held.values()) held.push([notice, change === 'grew']);
      },
      onError: (error) => log.error({ err: error }, 'incident store write failed'),
    });
    this.sinks = this.#sinkSpecs(config).map((spec) => this.#openSink(spec));
    // What a kill cut off between the journal and a sink queue is offered now.
    catchUpSinks(config.state_dir, this.journal.retain, this.sinks, log);
    this.#timer = setInterval(() => this.#flushRepeats(), options.repeatFlushMs ?? 5000).unref();
  }

  /**
   * A reloaded config (SIGHUP): rule settings at once; sinks by their name (the transport's name
   * holds host, port and a hash of the URL): an unchanged sink keeps running, a changed one is
   * closed and reopened on its queue, a new one starts, a removed one stops. A stopped sink's
   * undelivered alerts stay in its queue directory, delivered if it comes back.
   */
  async reconfigure(config: AlertsSettings): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    this.#factory.setRules(config.rules);
    const specs = this.#sinkSpecs(config);
    const current = new Map(this.sinks.map((sink) => [sink.transport.name, sink]));
    const kept = new Set<QueuedSink>();
    const opening: SinkSpec[] = [];
    for (const spec of specs) {
      const old = current.get(spec.transport.name);
      if (old && this.#sinkKeys.get(old) === spec.key) kept.add(old);
      else opening.push(spec);
    }
    const closing = this.sinks.filter((sink) => !kept.has(sink));
    // Offers stop at once for sinks that go or are reopened; what is raised while the old one
    // closes is held for its successor, which opens on the same queue directory.
    for (const spec of opening) this.#held.set(spec.transport.name, []);
    const heldFrom = this.journal.lastLine;
    this.sinks = this.sinks.filter((sink) => kept.has(sink));
    await Promise.all(closing.map((sink) => sink.close()));
    const opened = opening.map((spec) => {
      const sink = this.#openSink(spec);
      // Offered everything journalled before the hold (the old sink did, or a new one skips history).
      sink.mark(heldFrom);
      for (const [alert, repeat] of this.#held.get(spec.transport.name) ?? []) sink.offer(alert, repeat);
      this.#held.delete(spec.transport.name);
      return sink;
    });
    const byName = new Map([...kept, ...opened].map((sink) => [sink.transport.name, sink]));
    this.sinks = specs.flatMap((spec) => byName.get(spec.transport.name) ?? []);
    const wanted = new Set(specs.map((spec) => spec.transport.name));
    const removed = closing.map((sink) => sink.transport.name).filter((name) => !wanted.has(name));
    for (const name of removed) this.#o.metrics.sinkQueueDepth.remove({ sink: name });
    return {
      added: opening.map((spec) => spec.transport.name).filter((name) => !current.has(name)),
      removed,
      changed: opening.map((spec) => spec.transport.name).filter((name) => current.has(name)),
    };
  }

  /** Each sink's transport and what identifies its settings (a change means a new transport). */
  #sinkSpecs(config: AlertsSettings): SinkSpec[] {
    const { delivery } = config;
    const spec = (transport: AlertTransport, settings: unknown): SinkSpec => ({
      transport,
      key: JSON.stringify([settings, delivery]),
      retry: { base: delivery.retry_min, max: delivery.retry_max },
      maxQueued: delivery.max_queued,
    });
    return [
      ...config.webhooks.map((webhook) => spec(new WebhookTransport(webhook), webhook)),
      ...config.alertmanager.map((entry) =>
        spec(new AlertmanagerTransport(entry, { firingFor: config.dedup_window, agentUrl: agentUrl(config) }), [
          entry,
          config.dedup_window,
          agentUrl(config),
        ]),
      ),
      ...(this.#o.extraTransports ?? []).map((transport) => spec(transport, transport.name)),
    ];
  }

  #openSink(spec: SinkSpec): QueuedSink {
    const { metrics, log, config } = this.#o;
    const sink = new QueuedSink({
      transport: spec.transport,
      queueDir: path.join(config.state_dir, 'queues', spec.transport.name),
      metrics,
      log,
      maxEntries: this.#o.maxQueued ?? spec.maxQueued,
      retry: this.#o.retry ?? spec.retry,
      journal: this.journal,
    });
    this.#sinkKeys.set(sink, spec.key);
    return sink;
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
      this.incidents.onAlert(raised.alert, true);
      return raised.alert;
    }
    const { alert } = raised;
    // Before the journal: the journalled alert already names its incident.
    this.incidents.onAlert(alert, false);
    const { metrics } = this.#o;
    this.#raised += 1;
    metrics.alerts.inc({ rule: alert.rule, severity: alert.severity, workload: alert.container?.workload ?? 'host' });
    if (!this.#backlog.write(alert, false)) {
      this.incidents.announce();
      return alert;
    }
    metrics.detectionLatency.observe({ rule: alert.rule }, Math.max(0, this.#now() - finding.at) / 1000);
    this.#deliver(alert, false);
    // After the alert: stream and sinks see an incident after the alert that opened it.
    this.incidents.announce();
    return alert;
  }

  /** Writes pending repeats, gives sinks up to `timeout` ms to drain, closes; undelivered alerts stay queued on disk. */
  async close(timeout = 2000): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#flushRepeats();
    this.#closed = true;
    if (this.#backlog.held > 0)
      this.#o.log.warn({ held: this.#backlog.held }, 'alerts the journal refused, never journalled: on stdout only');
    this.incidents.close();
    await Promise.all(this.sinks.map((sink) => sink.flush(timeout)));
    // Every journal line has been offered to every sink: the next start has nothing to catch up.
    for (const sink of this.sinks) sink.mark(this.journal.lastLine);
    await Promise.all(this.sinks.map((sink) => sink.close()));
    this.stream.close();
    this.journal.close();
  }

  #flushRepeats(): void {
    this.#backlog.retry();
    const repeats = [...this.#dirty.values()];
    this.#dirty.clear();
    for (const alert of repeats) {
      if (this.#backlog.write(alert, true)) this.#deliver(alert, true);
    }
  }

  #deliver(alert: Alert, repeat: boolean): void {
    logAlert(this.#o.log, alert, repeat);
    this.stream.broadcast('alert', { alert });
    for (const sink of this.sinks) sink.offer(alert, repeat);
    for (const held of this.#held.values()) held.push([alert, repeat]);
  }
}
