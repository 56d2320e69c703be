import { describe, expect, it } from 'vitest';
import type { ContainerRef } from '../../../../collector/events.ts';
import { IP, api, containerEnd, db, externalEnd, flowStart, started, web } from '../../../fixtures/events.ts';
import { LEARN_MS, harness, type HarnessOptions } from '../../../fixtures/harness.ts';

/** The shop learns its normal traffic: web→api:8080, api→db:5432, api→partner:443. */
function learned(options: HarnessOptions = {}) {
  const h = harness(options);
  h.feed(started(h.at(0), web), started(h.at(0), api), started(h.at(0), db));
  h.feed(
    flowStart(h.at(1000), containerEnd(web, IP.web, 40000), containerEnd(api, IP.apiFront, 8080), 'shop_frontend'),
    flowStart(h.at(2000), containerEnd(api, IP.apiBack, 40001), containerEnd(db, IP.db, 5432), 'shop_backend'),
    flowStart(
      h.at(3000),
      containerEnd(api, IP.apiBack, 40002),
      externalEnd(IP.partner, 443, 'partner.shipwatch.test'),
      'shop_backend',
    ),
  );
  h.at(LEARN_MS + 1000);
  return h;
}

describe('unexpected_inbound', () => {
  /** The shop learns that web serves outside clients on 8443/tcp (a published port). */
  function servingLearned() {
    const h = harness();
    h.feed(started(h.at(0), web), started(h.at(0), api));
    h.feed(flowStart(h.at(1000), externalEnd(IP.partner, 51000), containerEnd(web, IP.web, 8443), 'shop_frontend'));
    h.at(LEARN_MS + 1000);
    return h;
  }
  const fromOutside = (at: number, port: number, opts: Parameters<typeof flowStart>[4] = {}) =>
    flowStart(at, externalEnd(IP.evil, 38710), containerEnd(api, IP.apiBack, port), 'shop_backend', opts);

  it('alerts when an outside client connects to a port the workload never served (a new listener)', () => {
    const h = servingLearned();
    const [finding] = h.feed(fromOutside(h.now, 4444));
    expect(finding?.rule).toBe('unexpected_inbound');
    expect(finding?.container).toEqual(api);
    expect(finding?.key).toBe('4444/tcp');
    expect(finding?.summary).toBe(
      'shop-api-1 (shop/api) accepted a connection from 203.0.113.10:38710 on port 4444/tcp, which it never served outside Docker during learning',
    );
  });

  it('stays silent for a port served during learning, also to a new client', () => {
    const h = servingLearned();
    expect(
      h.feed(flowStart(h.now, externalEnd(IP.evil, 40000), containerEnd(web, IP.web, 8443), 'shop_frontend')),
    ).toEqual([]);
  });

  it('stays silent while learning, in policy mode, and for a TCP flow not seen from its handshake', () => {
    const learning = harness();
    learning.feed(started(learning.at(0), api));
    expect(learning.feed(fromOutside(learning.at(5000), 4444))).toEqual([]);
    const policy = harness({ learnMs: 0 });
    policy.feed(started(policy.at(0), api));
    expect(policy.feed(fromOutside(policy.at(5000), 4444))).toEqual([]);
    const h = servingLearned();
    const midStream = fromOutside(h.now, 4444);
    if (midStream.kind === 'flow.start') midStream.flow.tcpFlags = 'A';
    expect(h.feed(midStream).map((f) => f.rule)).not.toContain('unexpected_inbound');
  });

  it('judges UDP to a service port, not to an ephemeral one (a reply caught mid-exchange)', () => {
    const h = servingLearned();
    expect(h.feed(fromOutside(h.now, 53, { protocol: 'udp' })).map((f) => f.rule)).toEqual(['unexpected_inbound']);
    expect(h.feed(fromOutside(h.now + 1, 40001, { protocol: 'udp' }))).toEqual([]);
  });

  it('is never raised for the container connecting out (that is egress)', () => {
    const h = servingLearned();
    const rules = h
      .feed(flowStart(h.now, containerEnd(api, IP.apiBack, 41234), externalEnd(IP.evil, 4444), 'shop_backend'))
      .map((f) => f.rule);
    expect(rules).toEqual(['unexpected_egress']);
  });
});

describe('unexpected_egress', () => {
  it('alerts when api connects to an external destination it never reached during learning', () => {
    const h = learned();
    const [finding] = h.feed(
      flowStart(h.now, containerEnd(api, IP.apiBack, 41234), externalEnd(IP.evil, 4444), 'shop_backend'),
    );
    expect(finding?.rule).toBe('unexpected_egress');
    expect(finding?.key).toBe('203.0.113.10:4444/tcp');
    expect(finding?.summary).toBe(
      'shop-api-1 (shop/api) connected to 203.0.113.10:4444/tcp, never seen during learning',
    );
    expect(finding?.details).toMatchObject({ flow: { dst: { ip: IP.evil, port: 4444 }, network: 'shop_backend' } });
  });

  it("stays silent on DNS to the container's resolver (Docker's embedded DNS forwarding), alerts on DNS elsewhere", () => {
    // After a peer was isolated its name is unknown to the embedded DNS, which forwards the lookup
    // to its upstream from inside the asking container: a flow the container never made while learning.
    const h = learned({ resolvers: [IP.evil] });
    const lookup = (ip: string, protocol: 'udp' | 'tcp') =>
      flowStart(h.now, containerEnd(api, IP.apiBack, 41000), externalEnd(ip, 53), 'shop_backend', { protocol });
    expect(h.rules(h.feed(lookup(IP.evil, 'udp'), lookup(IP.evil, 'tcp')))).toEqual([]);
    expect(h.rules(h.feed(lookup(IP.partner, 'udp')))).toEqual(['unexpected_egress']);
  });

  it('stays silent for a destination learned during learning, also from a new container of the workload', () => {
    const h = learned();
    const again = flowStart(
      h.now,
      containerEnd(api, IP.apiBack, 41000),
      externalEnd(IP.partner, 443, 'partner.shipwatch.test'),
      'shop_backend',
    );
    expect(h.feed(again)).toEqual([]);
  });

  it('stays silent while the workload is still learning', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    expect(
      h.feed(flowStart(h.at(5000), containerEnd(api, IP.apiBack, 41234), externalEnd(IP.evil, 4444), 'shop_backend')),
    ).toEqual([]);
  });

  it('stays silent for an allowlisted destination', () => {
    const h = learned({ allowlist: ['203.0.113.0/28:4444/tcp'] });
    expect(
      h.feed(flowStart(h.now, containerEnd(api, IP.apiBack, 41234), externalEnd(IP.evil, 4444), 'shop_backend')),
    ).toEqual([]);
  });

  it('ignores multicast, broadcast and link-local destinations', () => {
    const h = learned();
    const local = ['224.0.0.251', '255.255.255.255', 'ff02::fb', 'fe80::1'].map((ip) =>
      flowStart(h.now, containerEnd(api, IP.apiBack, 5353), externalEnd(ip, 5353), 'shop_backend', { protocol: 'udp' }),
    );
    expect(h.feed(...local)).toEqual([]);
  });

  it('still alerts on the cloud metadata address 169.254.169.254 (beside metadata_service_access)', () => {
    const h = learned();
    const flow = flowStart(h.now, containerEnd(api, IP.apiBack, 1), externalEnd('169.254.169.254', 80), 'shop_backend');
    expect(h.rules(h.feed(flow))).toEqual(['unexpected_egress', 'metadata_service_access']);
  });

  it('keeps the same key for repeats, so the alert pipeline counts them as one alert', () => {
    const h = learned();
    const keys = [41234, 41235].map(
      (port) =>
        h.feed(flowStart(h.now, containerEnd(api, IP.apiBack, port), externalEnd(IP.evil, 4444), 'shop_backend'))[0]
          ?.key,
    );
    expect(keys).toEqual(['203.0.113.10:4444/tcp', '203.0.113.10:4444/tcp']);
  });

  it('judges against the allowlist alone in policy-only mode (learn 0)', () => {
    const h = harness({ learnMs: 0, allowlist: ['partner.shipwatch.test:443/tcp'] });
    const ok = flowStart(
      h.at(0),
      containerEnd(api, IP.apiBack, 1),
      externalEnd(IP.partner, 443, 'partner.shipwatch.test'),
      'shop_backend',
    );
    const bad = flowStart(h.at(10), containerEnd(api, IP.apiBack, 2), externalEnd(IP.evil, 4444), 'shop_backend');
    expect(h.feed(ok)).toEqual([]);
    expect(h.feed(bad)[0]?.summary).toContain('which is not on the egress allowlist');
  });
});

describe('cross_segment_traffic', () => {
  it('alerts when web reaches db although they share no Docker network', () => {
    const h = learned();
    const findings = h.feed(
      flowStart(h.now, containerEnd(web, IP.web, 40100), containerEnd(db, IP.db, 5432), 'shop_frontend'),
    );
    expect(h.rules(findings)).toEqual(['cross_segment_traffic']);
    expect(findings[0]?.summary).toContain('shop-web-1 (shop/web) reached shop-db-1 (shop/db) on port 5432/tcp');
    expect(findings[0]?.details).toMatchObject({ flow: { zones: ['shop_frontend', 'shop_backend'] } });
  });

  it('alerts even while both workloads are learning: a routed flow is a misconfiguration, not behaviour', () => {
    const h = harness();
    expect(
      h.rules(h.feed(flowStart(h.at(0), containerEnd(web, IP.web, 1), containerEnd(db, IP.db, 5432), 'shop_frontend'))),
    ).toEqual(['cross_segment_traffic']);
  });

  it('stays silent when the zone policy allows the two zones', () => {
    const h = learned({ zones: { shop_frontend: 'dmz', shop_backend: 'data' }, zoneAllow: [['data', 'dmz']] });
    const findings = h.feed(
      flowStart(h.now, containerEnd(web, IP.web, 40100), containerEnd(db, IP.db, 5432), 'shop_frontend'),
    );
    expect(h.rules(findings)).toEqual(['new_peer']);
  });

  it('names the zones when the policy forbids the pair', () => {
    const h = learned({ zones: { shop_frontend: 'dmz', shop_backend: 'data' } });
    const [finding] = h.feed(
      flowStart(h.now, containerEnd(web, IP.web, 1), containerEnd(db, IP.db, 5432), 'shop_frontend'),
    );
    expect(finding?.summary).toContain('from zone dmz to zone data, which the zone policy does not allow');
  });

  it('judges the update that first names a routed flow’s real source, and no other update', () => {
    const h = learned();
    const start = flowStart(h.now, containerEnd(web, IP.web, 40100), containerEnd(db, IP.db, 5432), 'shop_backend', {
      networks: ['shop_backend', 'shop_frontend'],
    });
    if (start.kind !== 'flow.start') throw new Error('fixture');
    const update = { ...start, kind: 'flow.update' as const };
    expect(h.feed(update)).toEqual([]);
    expect(h.rules(h.feed({ ...update, sourceFound: true as const }))).toEqual(['cross_segment_traffic']);
  });

  it('alerts on a flow seen on more than one bridge', () => {
    const h = learned();
    const flow = flowStart(h.now, containerEnd(api, IP.apiBack, 1), containerEnd(db, IP.db, 5432), 'shop_backend', {
      networks: ['shop_backend', 'other'],
    });
    expect(h.rules(h.feed(flow))).toEqual(['cross_segment_traffic']);
  });
});

describe('new_peer', () => {
  it('alerts when two workloads that share a network talk for the first time after learning', () => {
    const h = learned();
    const [finding] = h.feed(
      flowStart(h.now, containerEnd(db, IP.db, 40000), containerEnd(api, IP.apiBack, 22), 'shop_backend'),
    );
    expect(finding?.rule).toBe('new_peer');
    expect(finding?.key).toBe('shop/api:22/tcp');
    expect(finding?.summary).toContain('never talked this way during learning');
  });

  it('stays silent for a learned peer and port', () => {
    const h = learned();
    expect(
      h.feed(flowStart(h.now, containerEnd(web, IP.web, 40500), containerEnd(api, IP.apiFront, 8080), 'shop_frontend')),
    ).toEqual([]);
  });

  it('reads a mid-stream TCP flow (no SYN seen) from its server side the right way round', () => {
    const h = learned();
    const reply = flowStart(h.now, containerEnd(db, IP.db, 5432), containerEnd(api, IP.apiBack, 41234), 'shop_backend');
    if (reply.kind === 'flow.start') reply.flow.tcpFlags = 'A';
    expect(h.feed(reply)).toEqual([]);
  });

  it('alerts on a learned peer reached on a new port', () => {
    const h = learned();
    expect(
      h.rules(
        h.feed(
          flowStart(h.now, containerEnd(web, IP.web, 40500), containerEnd(api, IP.apiFront, 9000), 'shop_frontend'),
        ),
      ),
    ).toEqual(['new_peer']);
  });
});

describe('a flow to a port another host of the fleet publishes', () => {
  // shop/pay runs on host-b; host-b named its network's zone `payments`.
  const pay: ContainerRef = {
    id: 'f'.repeat(64),
    name: 'pay-1',
    image: 'shop/pay:2',
    workload: 'shop/pay',
    host: 'host-b',
    zone: 'payments',
  };
  const toPay = (at: number, port = 8443) =>
    flowStart(at, containerEnd(api, IP.apiBack, 41000), containerEnd(pay, '203.0.113.80', port), 'shop_backend');

  it('is new_peer when the zone policy allows the zones, naming the host, and never unexpected_egress', () => {
    const h = learned({ zoneAllow: [['shop_backend', 'payments']] });
    const [finding, ...more] = h.feed(toPay(h.now));
    expect(more).toEqual([]);
    expect(finding?.rule).toBe('new_peer');
    expect(finding?.key).toBe('shop/pay:8443/tcp');
    expect(finding?.summary).toBe(
      'shop-api-1 (shop/api) connected to host-b/pay-1 (shop/pay) on port 8443/tcp; these workloads never talked this way during learning',
    );
  });

  it('is cross_segment_traffic when the zone policy forbids the pair, even while learning', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const [finding] = h.feed(toPay(h.at(1000)));
    expect(finding?.rule).toBe('cross_segment_traffic');
    expect(finding?.summary).toBe(
      'shop-api-1 (shop/api) reached host-b/pay-1 (shop/pay) on port 8443/tcp from zone shop_backend to zone payments on host host-b, which the zone policy does not allow',
    );
  });

  it('is learned as an outbound peer of the local workload only: the far workload is its own host’s to learn', () => {
    const h = harness({ zoneAllow: [['shop_backend', 'payments']] });
    h.feed(started(h.at(0), api), toPay(h.at(1000)));
    h.at(LEARN_MS + 1000);
    expect(h.feed(toPay(h.now))).toEqual([]);
    expect(h.runner.baseline('shop/api')?.peers).toContainEqual(
      expect.objectContaining({ workload: 'shop/pay', port: 8443, direction: 'out' }),
    );
    expect(h.runner.baseline('shop/pay')).toBeNull();
    // A new port of the same peer is new.
    expect(h.rules(h.feed(toPay(h.now, 9000)))).toEqual(['new_peer']);
  });
});
