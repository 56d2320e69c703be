// Network rules on flow.start: unexpected_egress (external destinations outside baseline and
// allowlist), unexpected_inbound (an outside client on a port the workload never served),
// cross_segment_traffic (routed between bridges or across a forbidden zone pair) and
// new_peer (workloads that never talked during learning). The alert pipeline dedups by key.
import { isFlowBeginning, type FlowRecord, type ShipwatchEvent } from '../../collector/events.ts';
import { egressKnown, inboundKnown, judging, phaseOf } from '../baseline.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { destination, flowDetails, who } from '../describe.ts';
import { allowlisted } from '../egress-allowlist.ts';
import type { Finding } from '../../findings/index.ts';
import { oriented } from '../flow-orientation.ts';
import { segmentOf } from '../segments.ts';
import { isInboundConnection } from '../inbound.ts';

/**
 * Multicast, broadcast and IPv6 link-local traffic never leaves the segment: not egress. IPv4
 * 169.254.0.0/16 is deliberately NOT here: 169.254.169.254 is the cloud metadata service, a
 * classic target for stealing credentials from inside a container.
 */
function localOnly(ip: string): boolean {
  if (ip === '255.255.255.255' || /^(22[4-9]|23\d)\./.test(ip)) return true;
  return /^ff[0-9a-f]{2}:/i.test(ip) || /^fe[89ab][0-9a-f]:/i.test(ip);
}

function egress(flow: FlowRecord, ctx: DetectorContext, at: number): Finding[] {
  const src = flow.src.container;
  if (flow.src.kind !== 'container' || !src || flow.dst.kind !== 'external' || localOnly(flow.dst.ip)) return [];
  const dst = { ip: flow.dst.ip, name: flow.dst.name, port: flow.dst.port, protocol: flow.protocol };
  if (allowlisted(ctx.config.egressAllowlist, dst)) return [];
  // Docker's embedded DNS forwards a lookup it cannot answer (a peer's name after the peer was
  // isolated, any outside name) to its upstream from inside the asking container's network
  // namespace: on the bridge that is the container's own DNS through the path it is configured
  // with, not egress it chose.
  if (dst.port === 53 && (dst.protocol === 'udp' || dst.protocol === 'tcp') && ctx.isResolver(src, dst.ip)) return [];
  const baseline = ctx.baseline(src.workload);
  if (phaseOf(baseline, ctx.now) === 'learning') return [];
  if (judging(baseline, ctx.now) && egressKnown(baseline, dst)) return [];
  const why = baseline?.mode === 'policy' ? 'which is not on the egress allowlist' : 'never seen during learning';
  return [
    {
      rule: 'unexpected_egress',
      container: src,
      key: `${dst.ip}:${dst.port ?? '-'}/${dst.protocol}`,
      summary: `${who(src)} connected to ${destination(flow.dst, flow.protocol)}, ${why}`,
      details: flowDetails(flow),
      at,
    },
  ];
}

function inbound(flow: FlowRecord, ctx: DetectorContext, at: number): Finding[] {
  const dst = flow.dst.container;
  if (!dst || !isInboundConnection(flow) || localOnly(flow.src.ip)) return [];
  const baseline = ctx.baseline(dst.workload);
  // Learned baselines only: policy mode (learn: 0, nothing imported) has no inbound policy.
  if (!judging(baseline, ctx.now)) return [];
  if (inboundKnown(baseline, { port: flow.dst.port, protocol: flow.protocol })) return [];
  const source = `${flow.src.ip}:${flow.src.port ?? '-'}`;
  return [
    {
      rule: 'unexpected_inbound',
      container: dst,
      key: `${flow.dst.port ?? '-'}/${flow.protocol}`,
      summary: `${who(dst)} accepted a connection from ${source} on port ${flow.dst.port ?? '-'}/${flow.protocol}, which it never served outside Docker during learning`,
      details: flowDetails(flow),
      at,
    },
  ];
}

function segments(flow: FlowRecord, ctx: DetectorContext, at: number): Finding[] {
  const segment = segmentOf(flow, ctx);
  const src = flow.src.container;
  const dst = flow.dst.container;
  if (!segment || !src || !dst || !segment.crossing || segment.allowed) return [];
  const [from, to] = segment.zones;
  const how =
    dst.host !== undefined
      ? `from zone ${from} to zone ${to} on host ${dst.host}, which the zone policy does not allow`
      : from === to
        ? `routed between networks ${segment.networks.join(' and ')} that share no Docker network`
        : `from zone ${from} to zone ${to}, which the zone policy does not allow (routed between networks ${segment.networks.join(' and ')})`;
  return [
    {
      rule: 'cross_segment_traffic',
      container: src,
      key: `${dst.workload}:${flow.dst.port ?? '-'}/${flow.protocol}`,
      summary: `${who(src)} reached ${who(dst)} on port ${flow.dst.port ?? '-'}/${flow.protocol} ${how}`,
      details: flowDetails(flow, { peer: dst, networks: segment.networks, zones: segment.zones }),
      at,
    },
  ];
}

function newPeer(flow: FlowRecord, ctx: DetectorContext, at: number): Finding[] {
  const src = flow.src.container;
  const dst = flow.dst.container;
  if (flow.src.kind !== 'container' || flow.dst.kind !== 'container' || !src || !dst) return [];
  const segment = segmentOf(flow, ctx);
  // A forbidden crossing is cross_segment_traffic's alert; one flow, one alert.
  if (segment && segment.crossing && !segment.allowed) return [];
  const { protocol } = flow;
  const port = flow.dst.port;
  const srcBaseline = ctx.baseline(src.workload);
  const dstBaseline = ctx.baseline(dst.workload);
  const outKnown = (b: typeof srcBaseline & object) =>
    b.peers.some(
      (p) => p.direction === 'out' && p.workload === dst.workload && p.port === port && p.protocol === protocol,
    );
  const inKnown = (b: typeof dstBaseline & object) =>
    b.peers.some(
      (p) => p.direction === 'in' && p.workload === src.workload && p.port === port && p.protocol === protocol,
    );
  const srcNew = judging(srcBaseline, ctx.now) && !outKnown(srcBaseline);
  // A peer on another host is judged there, by the agent that learned it.
  const dstNew = dst.host === undefined && judging(dstBaseline, ctx.now) && !inKnown(dstBaseline);
  if (!srcNew && !dstNew) return [];
  return [
    {
      rule: 'new_peer',
      container: src,
      key: `${dst.workload}:${port ?? '-'}/${protocol}`,
      summary: `${who(src)} connected to ${who(dst)} on port ${port ?? '-'}/${protocol}; these workloads never talked this way during learning`,
      details: flowDetails(flow, { peer: dst }),
      at,
    },
  ];
}

export const networkDetector: Detector<null> = {
  name: 'network',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent, ctx: DetectorContext): StepResult<null> {
    switch (event.kind) {
      case 'flow.start':
      case 'flow.update': {
        // An update is judged only when it first names a routed flow's real source: the flow's
        // start, seen from its destination's bridge, began at the gateway and was judged as that.
        if (!isFlowBeginning(event)) return { state, findings: [] };
        const flow = oriented(event.flow);
        return {
          state,
          findings: [
            ...egress(flow, ctx, event.at),
            ...inbound(flow, ctx, event.at),
            ...segments(flow, ctx, event.at),
            ...newPeer(flow, ctx, event.at),
          ],
        };
      }
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.removed':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exec':
      case 'process.exit':
      case 'file.changed':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
