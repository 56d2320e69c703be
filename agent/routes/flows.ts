// GET /api/flows?network=&limit=: the flows in the live table, most recently active first, with
// the counters that say how complete the picture is (malformed packets, evicted flows, packets
// that reached the cross-bridge merge too late to be put in order).
import { withoutPayload } from '../../collector/events.ts';
import type { PacketProcessor } from '../../collector/flows/index.ts';
import type { HttpServer } from '../server.ts';

export interface FlowsView {
  flows: PacketProcessor;
  packets: { readonly latePackets: number };
}

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

export function registerFlowRoutes(server: HttpServer, view: FlowsView): void {
  server.route({
    method: 'GET',
    path: '/api/flows',
    handler: ({ query }) => {
      const network = query.get('network');
      const limit = Math.max(1, Math.min(MAX_LIMIT, Number(query.get('limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
      const table = view.flows.flows;
      const flows = table
        .active()
        .filter((f) => !network || f.networks.includes(network))
        .sort((a, b) => b.lastSeen - a.lastSeen)
        .slice(0, limit)
        .map(withoutPayload);
      return {
        json: {
          flows,
          malformedPackets: view.flows.counts.malformed,
          rejectedDnsAnswers: view.flows.counts.dnsRejected,
          evictedFlows: table.evicted,
          latePackets: view.packets.latePackets,
        },
      };
    },
  });
}
