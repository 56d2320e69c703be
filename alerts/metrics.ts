// Every metric of DESIGN.md, in one prom-client registry, plus prom-client's default process
// metrics. Label values are kept low-cardinality: external destinations are never a label value
// (flows are labelled by workload, `external` or `host`), and a removed container's series go.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How often the event-loop delay is sampled (nodejs_eventloop_lag_*), see the constructor. */
const EVENT_LOOP_SAMPLE_MS = 100;

/** The series computed when they are read rather than set as things happen. */
export type CollectedSeries = 'containers' | 'sourceUp' | 'eventsLost';

export class Metrics {
  readonly registry = new Registry();
  /** Per series computed when read, what sets it (see onCollect). */
  readonly #collectors: Record<CollectedSeries, Set<() => void>> = {
    containers: new Set(),
    sourceUp: new Set(),
    eventsLost: new Set(),
  };

  readonly alerts = new Counter({
    name: 'shipwatch_alerts_total',
    help: 'Alerts raised, by rule, severity and workload',
    labelNames: ['rule', 'severity', 'workload'] as const,
    registers: [this.registry],
  });
  readonly flowBytes = new Counter({
    name: 'shipwatch_flow_bytes_total',
    help: 'Bytes in observed flows, by source and destination workload (external, host or a workload)',
    labelNames: ['src_workload', 'dst_workload', 'network', 'protocol'] as const,
    registers: [this.registry],
  });
  readonly flowPackets = new Counter({
    name: 'shipwatch_flow_packets_total',
    help: 'Packets in observed flows, by source and destination workload (external, host or a workload)',
    labelNames: ['src_workload', 'dst_workload', 'network', 'protocol'] as const,
    registers: [this.registry],
  });
  readonly flowsActive = new Gauge({
    name: 'shipwatch_flows_active',
    help: 'Flows in the flow table, by network',
    labelNames: ['network'] as const,
    registers: [this.registry],
  });
  readonly capturePackets = new Counter({
    name: 'shipwatch_capture_packets_total',
    help: 'Packets captured, by interface',
    labelNames: ['interface'] as const,
    registers: [this.registry],
  });
  readonly captureDropped = new Counter({
    name: 'shipwatch_capture_dropped_total',
    help: 'Packets the capture missed, by interface (see the README for how this is measured)',
    labelNames: ['interface'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'shipwatch_events_total',
    help: 'Collector events, by source',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly detectionLatency = new Histogram({
    name: 'shipwatch_detection_latency_seconds',
    help: 'From the event timestamp (kernel, pcap or Docker) to the alert being journalled',
    labelNames: ['rule'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly sinkDeliveries = new Counter({
    name: 'shipwatch_sink_deliveries_total',
    help: 'Alert deliveries by sink and outcome (delivered, retry, failed, dropped)',
    labelNames: ['sink', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly sinkQueueDepth = new Gauge({
    name: 'shipwatch_sink_queue_depth',
    help: 'Alerts waiting for delivery, by sink',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly containers = new Gauge({
    name: 'shipwatch_containers',
    help: 'Containers by state (learning, monitoring, isolated)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.#collect('containers'),
  });

  /** Self-monitoring: value 1, the labels say what runs. */
  readonly buildInfo = new Gauge({
    name: 'shipwatch_build_info',
    help: 'Always 1; labels carry the shipwatch version and the Node.js version running it',
    labelNames: ['version', 'node'] as const,
    registers: [this.registry],
  });
  readonly sourceUp = new Gauge({
    name: 'shipwatch_source_up',
    help: 'Whether a source delivers events (1: up or degraded, 0: starting, down or disabled), as /healthz shows it',
    labelNames: ['source'] as const,
    registers: [this.registry],
    collect: () => this.#collect('sourceUp'),
  });
  readonly eventsLost = new Counter({
    name: 'shipwatch_events_lost_total',
    help: 'Events that never reached the detectors, by source (see the README for what each source counts)',
    labelNames: ['source'] as const,
    registers: [this.registry],
    collect: () => this.#collect('eventsLost'),
  });

  // cAdvisor's names, so existing dashboards work.
  readonly cpuSeconds = new Counter({
    name: 'container_cpu_usage_seconds_total',
    help: 'Cumulative CPU time consumed, seconds',
    labelNames: ['name', 'image', 'workload'] as const,
    registers: [this.registry],
  });
  readonly memoryWorkingSet = new Gauge({
    name: 'container_memory_working_set_bytes',
    help: 'Current working set, bytes',
    labelNames: ['name', 'image', 'workload'] as const,
    registers: [this.registry],
  });
  readonly networkReceive = new Counter({
    name: 'container_network_receive_bytes_total',
    help: 'Cumulative bytes received',
    labelNames: ['name', 'image', 'workload'] as const,
    registers: [this.registry],
  });
  readonly networkTransmit = new Counter({
    name: 'container_network_transmit_bytes_total',
    help: 'Cumulative bytes transmitted',
    labelNames: ['name', 'image', 'workload'] as const,
    registers: [this.registry],
  });

  constructor() {
    // prom-client samples event-loop delay with a libuv timer that fires every
    // `eventLoopMonitoringPrecision` ms (default 10): 100 wake-ups a second of an otherwise idle
    // agent, about 0.3 % of a core on the bench machine. At 100 ms a loop blocked for longer is
    // still measured exactly, and shorter stalls are sampled at a tenth of the cost.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    // prom-client names three gauges `*_total`, which `promtool check metrics` rejects (a _total
    // suffix promises a counter). The per-type gauges (nodejs_active_handles{type}…) stay.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(name);
    }
  }

  /**
   * Registers what sets one of shipwatch_containers, shipwatch_source_up and
   * shipwatch_events_lost_total from the agent's state. It runs when that series is read (a scrape,
   * a test's read), not on a timer: an idle agent then does no work between scrapes. Returns the
   * unregistering function.
   */
  onCollect(series: CollectedSeries, collector: () => void): () => void {
    this.#collectors[series].add(collector);
    return () => this.#collectors[series].delete(collector);
  }

  #collect(series: CollectedSeries): void {
    for (const collector of this.#collectors[series]) collector();
  }

  /** Drops every per-container series of a removed container. */
  removeContainer(labels: { name: string; image: string; workload: string }): void {
    for (const metric of [this.cpuSeconds, this.memoryWorkingSet, this.networkReceive, this.networkTransmit]) {
      metric.remove(labels);
    }
  }

  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
