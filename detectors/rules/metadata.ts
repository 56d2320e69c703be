// metadata_service_access: a container reaches a cloud instance-metadata address. The metadata
// service hands out the instance's IAM credentials to whoever asks from the machine (AWS IMDSv1,
// GCP, Azure, OpenStack at 169.254.169.254; AWS over IPv6 at fd00:ec2::254; Alibaba Cloud at
// 100.100.100.200); a container asking for it is the classic first step of stealing the host's
// cloud identity (T1552.005). Always on, even while learning: an operator whose workload needs it
// says so in the egress allowlist.
import { isFlowBeginning, type FlowRecord, type ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { destination, flowDetails, who } from '../describe.ts';
import { allowlisted } from '../egress-allowlist.ts';
import type { Finding } from '../../findings/index.ts';
import { oriented } from '../flow-orientation.ts';

export const METADATA_ADDRESSES: ReadonlyMap<string, string> = new Map([
  ['169.254.169.254', 'the cloud instance-metadata service (AWS, GCP, Azure, OpenStack)'],
  ['fd00:ec2::254', 'the AWS instance-metadata service (IPv6)'],
  ['100.100.100.200', 'the Alibaba Cloud metadata service'],
]);

function judge(flow: FlowRecord, ctx: DetectorContext, at: number): Finding[] {
  const src = flow.src.container;
  if (flow.src.kind !== 'container' || !src) return [];
  const what = METADATA_ADDRESSES.get(flow.dst.ip.toLowerCase());
  if (what === undefined) return [];
  const dst = { ip: flow.dst.ip, name: flow.dst.name, port: flow.dst.port, protocol: flow.protocol };
  if (allowlisted(ctx.config.egressAllowlist, dst)) return [];
  return [
    {
      rule: 'metadata_service_access',
      container: src,
      key: `${dst.ip}:${dst.port ?? '-'}/${dst.protocol}`,
      summary: `${who(src)} connected to ${destination(flow.dst, flow.protocol)}, ${what}: a way to steal the host's cloud credentials`,
      details: flowDetails(flow),
      at,
    },
  ];
}

export const metadataDetector: Detector<null> = {
  name: 'metadata',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent, ctx: DetectorContext): StepResult<null> {
    switch (event.kind) {
      case 'flow.start':
      case 'flow.update':
        if (!isFlowBeginning(event)) return { state, findings: [] };
        return { state, findings: judge(oriented(event.flow), ctx, event.at) };
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
