// `shipwatch run --pcap FILE`: forensic replay of a capture through the same decode → flow path
// as live capture, events onto the agent's bus (so detectors and sinks see them), then a summary.
// Attribution uses the live daemon's inventory when the Docker host answers within a few
// seconds, else the `pcap_networks` CIDRs of the config. Time is the capture's own: flows
// time out by packet timestamps, so a day-long file behaves as it did on the wire.
import type { Logger } from '../../core/logger.ts';
import type { Config } from '../config.ts';
import { Agent } from '../agent.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { recordFlowMetrics } from '../flow-metrics.ts';
import { CidrAttributor, inventoryAttributor, PacketProcessor, type Attributor } from '../../collector/flows/index.ts';
import { CaptureFile, NetworkResolver, PcapFileError } from '../../collector/packets/index.ts';
import { existsSync } from 'node:fs';

const DOCKER_WAIT_MS = 3000;
const PROGRESS_EVERY = 250_000;
const SWEEP_EVERY_MS = 1000;

/** What `run --pcap` prints: one JSON object on stdout (logs and progress go to stderr). */
export interface PcapSummary {
  file: string;
  packets: number;
  flows: number;
  alerts: number;
  /** Incidents the replay's alerts were correlated into (written to the state directory, closed). */
  incidents: number;
  /** Ended flows written to the flow history. */
  flowHistory: number;
  malformed: number;
  ignored: number;
  dnsAnswers: number;
  attribution: 'docker' | 'cidr';
  damaged: string | null;
}

/** Replays `file` and prints the summary as one JSON line; throws SW_PCAP_UNREADABLE (exit 2) when it is not a readable capture. */
export async function runPcap(config: Config, log: Logger, file: string): Promise<PcapSummary> {
  let capture: CaptureFile;
  try {
    capture = new CaptureFile(file);
  } catch (error) {
    if (!(error instanceof PcapFileError)) throw error;
    throw new ShipwatchError('SW_PCAP_UNREADABLE', error.message, { cause: error });
  }
  const agent = new Agent(config, log);
  const begun = Date.now();
  const { attributor, resolver, attribution } = await chooseAttribution(agent, config);
  let flows = 0;
  let ended = 0;
  agent.bus.subscribe((event) => {
    if (event.kind === 'flow.start') flows++;
    if (event.kind === 'flow.end') ended++;
  });
  const processor = new PacketProcessor({
    host: config.host,
    maxFlows: config.capture.max_flows,
    attributor,
    emit: agent.bus.emit,
    resolveNetwork: (meta, buf) => resolver.resolve(meta, buf),
  });
  let nextSweep = 0;
  let lastAt = 0;
  const started = Date.now();
  for (const packet of capture.packets()) {
    const at = packet.at || lastAt;
    lastAt = at;
    processor.handle(null, packet.buf, packet.caplen, packet.linkType, at, packet.offset);
    if (at >= nextSweep) {
      processor.flows.sweep(at);
      nextSweep = at + SWEEP_EVERY_MS;
    }
    if (processor.counts.packets % PROGRESS_EVERY === 0) {
      const rate = Math.round(processor.counts.packets / Math.max(0.001, (Date.now() - started) / 1000));
      process.stderr.write(
        `shipwatch: ${file}: ${processor.counts.packets} packets, ${processor.flows.size} flows in table (${rate} packets/s)\n`,
      );
    }
  }
  processor.flows.flush(lastAt);
  recordFlowMetrics(agent.metrics, processor.flows);
  const alerts = agent.alerts.raised;
  // Nothing more will come: the replay's incidents are closed, so the record is final.
  agent.alerts.incidents.closeAll();
  const incidents = agent.alerts.incidents.store.query({ since: begun }).length;
  await agent.sources.docker.stop();
  // Deliver what the replay raised before exiting (bounded); anything undelivered stays queued on disk.
  await agent.alerts.close(10_000);
  const summary: PcapSummary = {
    file,
    packets: processor.counts.packets,
    flows,
    alerts,
    incidents,
    flowHistory: ended,
    malformed: processor.counts.malformed,
    ignored: processor.counts.ignored,
    dnsAnswers: processor.counts.dnsAnswers,
    attribution,
    damaged: capture.damaged,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary;
}

async function chooseAttribution(
  agent: Agent,
  config: Config,
): Promise<{ attributor: Attributor; resolver: NetworkResolver; attribution: 'docker' | 'cidr' }> {
  // No socket file, no daemon: waiting for one would only add DOCKER_WAIT_MS to every replay
  // on a forensic workstation without Docker.
  if (unixSocketMissing(config.docker_host)) return cidrAttribution(config);
  agent.sources.docker.start();
  const synced = await Promise.race([
    agent.sources.docker.synced().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), DOCKER_WAIT_MS).unref()),
  ]);
  if (synced) {
    const subnets: Record<string, string> = {};
    for (const network of agent.inventory.networks()) {
      for (const subnet of network.subnets) subnets[`${network.name}\u0000${subnet}`] = subnet;
    }
    return {
      attributor: inventoryAttributor(agent.inventory),
      resolver: new NetworkResolver(subnets),
      attribution: 'docker',
    };
  }
  await agent.sources.docker.stop();
  return cidrAttribution(config);
}

function cidrAttribution(config: Config): {
  attributor: Attributor;
  resolver: NetworkResolver;
  attribution: 'cidr';
} {
  return {
    attributor: new CidrAttributor(config.pcap_networks),
    resolver: new NetworkResolver(config.pcap_networks),
    attribution: 'cidr',
  };
}

/** True when the Docker host is a unix socket whose file does not exist. */
function unixSocketMissing(dockerHost: string): boolean {
  const socket = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : dockerHost;
  return socket.startsWith('/') && !existsSync(socket);
}
