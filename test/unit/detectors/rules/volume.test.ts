import { describe, expect, it } from 'vitest';
import { IP, api, containerEnd, externalEnd, flowStart, started } from '../../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../../fixtures/harness.ts';
import { later } from './flow-events.ts';

const MB = 1024 * 1024;
const partner = () => externalEnd(IP.partner, 443, 'partner.shipwatch.test');

/** api uploads a few KB to the partner every few seconds while it learns. */
function learned() {
  const h = harness();
  h.feed(started(h.at(0), api));
  for (let i = 0; i < 20; i++) {
    const start = flowStart(h.at(1000 + i * 5000), containerEnd(api, IP.apiBack, 40000 + i), partner(), 'shop_backend');
    h.feed(start, later(start, h.at(1500 + i * 5000), 'flow.end', { bytesOut: 4000, state: 'closed' }));
  }
  h.at(LEARN_MS + 1000);
  return h;
}

describe('egress_volume', () => {
  it('alerts on one burst of 64 MB to the usual destination, judged on the flow as it runs', () => {
    const h = learned();
    const start = flowStart(h.now, containerEnd(api, IP.apiBack, 41000), partner(), 'shop_backend');
    const findings = h.feed(start, later(start, h.now + 400, 'flow.update', { bytesOut: 32 * MB }));
    const volume = findings.filter((f) => f.rule === 'egress_volume');
    expect(volume).toHaveLength(1);
    expect(volume[0]?.key).toBe(`dst:${IP.partner}`);
    expect(volume[0]?.summary).toMatch(
      /sent 32\.0 MiB to partner\.shipwatch\.test .* within 10 s; during learning it sent at most 0\.0 MiB/,
    );
  });

  it('adds up many flows to one destination within the window, and alerts once for the window', () => {
    const h = learned();
    const rules = [];
    for (let i = 0; i < 6; i++) {
      const start = flowStart(h.now + i * 100, containerEnd(api, IP.apiBack, 42000 + i), partner(), 'shop_backend');
      rules.push(
        ...h.feed(start, later(start, h.now + i * 100 + 50, 'flow.end', { bytesOut: 4 * MB })).map((f) => f.rule),
      );
    }
    expect(rules.filter((r) => r === 'egress_volume')).toHaveLength(1);
  });

  it('alerts on the total spread over many destinations', () => {
    const h = learned();
    const found = [];
    for (let i = 0; i < 8; i++) {
      const start = flowStart(
        h.now,
        containerEnd(api, IP.apiBack, 43000 + i),
        externalEnd(`203.0.113.${100 + i}`, 443),
        'shop_backend',
      );
      found.push(...h.feed(later(start, h.now + 10, 'flow.end', { bytesOut: 3 * MB })));
    }
    expect(found.filter((f) => f.rule === 'egress_volume').map((f) => f.key)).toContain('total');
  });

  it('stays silent for a workload that sent as much during learning', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const big = flowStart(h.at(1000), containerEnd(api, IP.apiBack, 40000), partner(), 'shop_backend');
    h.feed(big, later(big, h.at(2000), 'flow.end', { bytesOut: 64 * MB }));
    h.at(LEARN_MS + 1000);
    const again = flowStart(h.now, containerEnd(api, IP.apiBack, 41000), partner(), 'shop_backend');
    expect(
      h.feed(again, later(again, h.now + 1000, 'flow.end', { bytesOut: 64 * MB })).map((f) => f.rule),
    ).not.toContain('egress_volume');
  });

  it('stays silent for a few MB more than it learned, and for bytes it received', () => {
    const h = learned();
    const start = flowStart(h.now, containerEnd(api, IP.apiBack, 41000), partner(), 'shop_backend');
    const found = h.feed(start, later(start, h.now + 400, 'flow.end', { bytesOut: 8 * MB, bytesIn: 500 * MB }));
    expect(found.map((f) => f.rule)).not.toContain('egress_volume');
  });

  it('forgets bytes older than the window', () => {
    const h = learned();
    const a = flowStart(h.now, containerEnd(api, IP.apiBack, 41000), partner(), 'shop_backend');
    h.feed(a, later(a, h.now + 10, 'flow.end', { bytesOut: 12 * MB }));
    const b = flowStart(h.now + 11_000, containerEnd(api, IP.apiBack, 41001), partner(), 'shop_backend');
    expect(h.feed(b, later(b, h.now + 11_010, 'flow.end', { bytesOut: 12 * MB })).map((f) => f.rule)).not.toContain(
      'egress_volume',
    );
  });
});
