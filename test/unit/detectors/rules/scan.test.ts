import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../findings/index.ts';
import { IP, api, containerEnd, externalEnd, flowStart, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';
import { later } from './flow-events.ts';

function scanRules(findings: Finding[]) {
  return findings.filter((f) => f.rule === 'port_scan');
}

describe('port_scan', () => {
  it('alerts once when a container probes 30 ports of one host and each is reset', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = [];
    for (let port = 1; port <= 30; port++) {
      const start = flowStart(
        h.at(port * 20),
        containerEnd(api, IP.apiBack, 40000 + port),
        externalEnd(IP.evil, port),
        'shop_backend',
      );
      found.push(
        ...h.feed(
          start,
          later(start, h.at(port * 20 + 1), 'flow.end', { packetsIn: 1, tcpFlags: 'SAR', state: 'closed' }),
        ),
      );
    }
    const scans = scanRules(found);
    expect(scans).toHaveLength(1);
    expect(scans[0]?.key).toBe(`ports:${IP.evil}`);
    expect(scans[0]?.summary).toMatch(/contacted 20 distinct targets on 1 host\(s\) within 10 s and only 0 answered/);
  });

  it('alerts on a sweep of many hosts that never answer, once they had time to', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = [];
    for (let i = 0; i < 40; i++) {
      found.push(
        ...h.feed(
          flowStart(
            h.at(i * 50),
            containerEnd(api, IP.apiBack, 40000 + i),
            externalEnd(`203.0.113.${i + 100}`, 22),
            'shop_backend',
          ),
        ),
      );
    }
    expect(scanRules(found).map((f) => f.key)).toEqual(['hosts']);
  });

  it('stays silent for a fan-out whose targets answer, even when opened all at once', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const starts = Array.from({ length: 30 }, (_, i) =>
      flowStart(
        h.at(10),
        containerEnd(api, IP.apiBack, 40000 + i),
        externalEnd(`203.0.113.${i + 100}`, 443),
        'shop_backend',
      ),
    );
    const found = h.feed(...starts);
    for (const s of starts)
      found.push(...h.feed(later(s, h.at(60), 'flow.update', { packetsIn: 1, tcpFlags: 'SA', state: 'established' })));
    found.push(
      ...h.feed(
        flowStart(h.at(3000), containerEnd(api, IP.apiBack, 41000), externalEnd(IP.partner, 443), 'shop_backend'),
      ),
    );
    expect(scanRules(found)).toEqual([]);
  });

  it('stays silent for many connections to the same few targets', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = [];
    for (let i = 0; i < 100; i++) {
      found.push(
        ...h.feed(
          flowStart(
            h.at(i * 30),
            containerEnd(api, IP.apiBack, 40000 + i),
            externalEnd(IP.partner, 443 + (i % 3)),
            'shop_backend',
          ),
        ),
      );
    }
    expect(scanRules(found)).toEqual([]);
  });
});
