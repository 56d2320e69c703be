// Wires packet capture into the agent: bridges → PacketProcessor (decode, flows, DNS) → events on
// the bus; flow and capture counters → metrics; GET /api/flows. The pipeline calls
// attachCapture(agent) once and start()/stop() with the agent.
import type { Agent } from '../../agent/agent.ts';
import { inventoryAttributor } from '../flows/flow-attribution.ts';
import { PacketMerger } from './packet-merge.ts';
import { PacketProcessor } from '../flows/packet-processor.ts';
import { PacketCapture } from './bridge-captures.ts';
import { recordFlowMetrics } from '../../agent/flow-metrics.ts';

const TICK_MS = 1000;
/** Docker events trigger a sync at once; this catches what an event could not (a failed attach). */
const SYNC_MS = 5000;
/**
 * How long packets wait to be put back in time order across bridges (see packet-merge.ts): the
 * capture child's ring block timeout (20 ms) plus the pipe, with room for a busy moment.
 */
const MERGE_HOLD_MS = 50;
const MERGE_MAX_HELD = 200_000;
const MERGE_EVERY_MS = 10;

export interface CaptureHandle {
  readonly processor: PacketProcessor;
  readonly capture: PacketCapture;
  start(): void;
  stop(): Promise<void>;
}

export function attachCapture(agent: Agent, now: () => number = Date.now): CaptureHandle {
  const { config, metrics, log } = agent;
  const processor = new PacketProcessor({
    host: config.host,
    maxFlows: config.capture.max_flows,
    attributor: inventoryAttributor(agent.inventory),
    emit: agent.bus.emit,
  });
  const merger = new PacketMerger({
    holdMs: MERGE_HOLD_MS,
    maxHeld: MERGE_MAX_HELD,
    deliver: (p) => processor.handle(p.network, p.buf, p.caplen, p.linkType, p.at),
  });
  // A release timer only while packets are held: an idle host costs no wake-ups.
  let releaseTimer: NodeJS.Timeout | null = null;
  const scheduleRelease = () => {
    if (releaseTimer) return;
    releaseTimer = setTimeout(() => {
      releaseTimer = null;
      merger.release(now());
      if (merger.held > 0) scheduleRelease();
    }, MERGE_EVERY_MS).unref();
  };
  const capture = new PacketCapture({
    interfaces: config.interfaces,
    snaplen: config.capture.snaplen,
    inventory: agent.inventory,
    health: agent.health,
    log,
    onPacket: (iface, network, buf, caplen, linkType, at) => {
      // One bridge has nothing to be ordered against: no need to hold its packets.
      if (merger.held === 0 && capture.attachedCount <= 1) processor.handle(network, buf, caplen, linkType, at);
      else {
        merger.push(iface, { network, buf, caplen, linkType, at });
        scheduleRelease();
      }
    },
    // Both counters exist from the attach on, at 0: a quiet bridge is then visibly captured and
    // loss-free, and rate() over a first packet does not miss it.
    onAttached: (iface) => {
      metrics.capturePackets.inc({ interface: iface }, 0);
      metrics.captureDropped.inc({ interface: iface }, 0);
    },
    onDetached: (iface) => merger.forget(iface),
    onCounts: (iface, captured, dropped) => {
      if (captured) metrics.capturePackets.inc({ interface: iface }, captured);
      if (dropped) metrics.captureDropped.inc({ interface: iface }, dropped);
    },
  });
  let previousMalformed = 0;
  const tick = () => {
    processor.flows.sweep(now());
    recordFlowMetrics(metrics, processor.flows);
    capture.report();
    const malformed = processor.counts.malformed;
    if (malformed > previousMalformed) {
      log.debug({ malformed, new: malformed - previousMalformed }, 'malformed packets skipped');
      previousMalformed = malformed;
    }
  };
  agent.bus.subscribe((event) => {
    if (event.kind === 'network.created' || event.kind === 'network.removed') capture.sync();
  });
  agent.server.route({
    method: 'GET',
    path: '/api/flows',
    handler: ({ query }) => {
      const network = query.get('network');
      const limit = Math.max(1, Math.min(10_000, Number(query.get('limit') ?? 1000) || 1000));
      const flows = processor.flows
        .active()
        .filter((f) => !network || f.networks.includes(network))
        .sort((a, b) => b.lastSeen - a.lastSeen)
        .slice(0, limit);
      return {
        json: {
          flows,
          malformedPackets: processor.counts.malformed,
          evictedFlows: processor.flows.evicted,
          latePackets: merger.late,
        },
      };
    },
  });
  const timers: NodeJS.Timeout[] = [];
  return {
    processor,
    capture,
    start() {
      capture.start();
      timers.push(setInterval(tick, TICK_MS).unref(), setInterval(() => capture.sync(), SYNC_MS).unref());
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      if (releaseTimer) clearTimeout(releaseTimer);
      await capture.stop();
      merger.flush();
      processor.flows.flush(now());
      recordFlowMetrics(metrics, processor.flows);
    },
  };
}
