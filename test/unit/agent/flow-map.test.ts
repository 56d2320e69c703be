// FlowMap: the network map's edges, built from flows as they start, update and end.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/alert.ts';
import type { EventOf, ShipwatchEvent } from '../../../collector/events.ts';
import { FlowMap } from '../../../agent/flow-map.ts';
import { api, containerEnd, db, externalEnd, flowStart, HOST, IP, T0, web } from '../../fixtures/events.ts';

function ended(start: ShipwatchEvent, at: number, bytes: number, packets: number): ShipwatchEvent {
  const flow = (start as EventOf<'flow.start'>).flow;
  return {
    kind: 'flow.end',
    at,
    host: HOST,
    flow: { ...flow, bytesOut: bytes, packetsOut: packets, state: 'closed', lastSeen: at },
  };
}

function alertOf(start: ShipwatchEvent, rule: string): Alert {
  const flow = (start as EventOf<'flow.start'>).flow;
  return {
    rule,
    details: {
      flow: { protocol: flow.protocol, src: flow.src, dst: flow.dst, network: flow.network, bytes: 0, packets: 1 },
    },
  } as unknown as Alert;
}

describe('FlowMap', () => {
  it('keeps an edge for short flows after they ended, with their bytes and packets summed', () => {
    const map = new FlowMap(() => T0 + 5000);
    for (const at of [T0, T0 + 1000]) {
      const start = flowStart(
        at,
        containerEnd(web, IP.web, 40000),
        containerEnd(api, IP.apiFront, 8080),
        'shop_frontend',
      );
      map.onEvent(start);
      map.onEvent(ended(start, at + 100, 500, 6));
    }
    const edges = map.edges(15);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({
      source: 'w:shop/web',
      target: 'w:shop/api',
      kind: 'workload',
      port: 8080,
      bytes: 1000,
      packets: 12,
      flows: 2,
      crossSegment: false,
      unlearned: false,
    });
  });

  it('keeps one edge per external destination, with its address and name', () => {
    const map = new FlowMap(() => T0);
    map.onEvent(
      flowStart(T0, containerEnd(api, IP.apiBack, 1), externalEnd(IP.evil, 4444, 'evil.test'), 'shop_backend'),
    );
    map.onEvent(flowStart(T0, containerEnd(api, IP.apiBack, 2), externalEnd(IP.partner, 443), 'shop_backend'));
    const edges = map.edges(15);
    expect(edges.map((e) => [e.target, e.kind, e.remote])).toEqual([
      [`x:${IP.evil}`, 'external', { ip: IP.evil, name: 'evil.test' }],
      [`x:${IP.partner}`, 'external', { ip: IP.partner, name: null }],
    ]);
  });

  it('marks an edge routed between networks as cross-segment, and one whose flow raised new_peer as never learned', () => {
    const map = new FlowMap(() => T0);
    const routed = flowStart(T0, containerEnd(web, IP.web, 1), containerEnd(db, IP.db, 80), 'shop_frontend', {
      networks: ['shop_frontend', 'shop_backend'],
    });
    const peer = flowStart(T0, containerEnd(api, IP.apiBack, 2), containerEnd(db, IP.db, 5432), 'shop_backend');
    map.onEvent(routed);
    map.onEvent(peer);
    map.noteAlert(alertOf(peer, 'new_peer'));
    const byTarget = Object.fromEntries(map.edges(15).map((e) => [`${e.source}>${e.port}`, e]));
    expect(byTarget['w:shop/web>80']).toMatchObject({ crossSegment: true, unlearned: false, alerts: {} });
    expect(byTarget['w:shop/api>5432']).toMatchObject({
      crossSegment: false,
      unlearned: true,
      alerts: { new_peer: 1 },
    });
  });

  it('counts a flow re-attributed by an update into its new edge from then on', () => {
    const map = new FlowMap(() => T0);
    // Seen first from the host's side (its source not yet known as a container), then attributed.
    const start = flowStart(T0, externalEnd(IP.web, 40000), containerEnd(api, IP.apiFront, 8080), 'shop_frontend');
    const flow = (start as EventOf<'flow.start'>).flow;
    map.onEvent(start);
    const update = (bytes: number, packets: number): ShipwatchEvent => ({
      kind: 'flow.update',
      at: T0 + 100,
      host: HOST,
      flow: { ...flow, src: containerEnd(web, IP.web, 40000), bytesOut: bytes, packetsOut: packets },
    });
    map.onEvent(update(300, 3));
    map.onEvent(update(500, 5));
    // The first packet (74 bytes) stays where it was counted; the rest goes to the new edge.
    const bySource = Object.fromEntries(map.edges(15).map((e) => [e.source, e]));
    expect(bySource[`x:${IP.web}`]).toMatchObject({ flows: 1, bytes: 74, packets: 1 });
    expect(bySource['w:shop/web']).toMatchObject({ flows: 1, bytes: 500 - 74, packets: 4 });
  });

  it('marks an edge from an alert whose flow names its ends the other way round', () => {
    const map = new FlowMap(() => T0);
    const start = flowStart(T0, containerEnd(api, IP.apiBack, 2), containerEnd(db, IP.db, 5432), 'shop_backend');
    map.onEvent(start);
    const alert = alertOf(start, 'new_peer');
    const flow = (alert.details as { flow: { src: unknown; dst: unknown } }).flow;
    [flow.src, flow.dst] = [flow.dst, flow.src];
    map.noteAlert(alert);
    expect(map.edges(15)[0]).toMatchObject({ unlearned: true, alerts: { new_peer: 1 } });
  });

  it('sums only the minutes inside the window and forgets edges idle for longer than an hour', () => {
    let now = T0;
    const map = new FlowMap(() => now);
    const start = flowStart(T0, containerEnd(web, IP.web, 1), containerEnd(api, IP.apiFront, 8080), 'shop_frontend');
    map.onEvent(start);
    map.onEvent(ended(start, T0 + 10, 100, 2));
    now = T0 + 20 * 60_000;
    expect(map.edges(15)).toEqual([]);
    expect(map.edges(60)).toHaveLength(1);
    now = T0 + 62 * 60_000;
    expect(map.edges(60)).toEqual([]);
  });
});
