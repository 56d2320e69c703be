import { describe, expect, it } from 'vitest';
import { IP, api, containerEnd, db, exec, externalEnd, fileChanged, flowStart, stats } from '../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../fixtures/harness.ts';

describe('baseline learning', () => {
  it('learns egress by address and name, peers in both directions, executables and path prefixes', () => {
    const h = harness();
    h.feed(
      flowStart(
        h.at(0),
        containerEnd(api, IP.apiBack, 1),
        externalEnd(IP.partner, 443, 'partner.shipwatch.test'),
        'shop_backend',
      ),
      flowStart(h.at(1), containerEnd(api, IP.apiBack, 2), containerEnd(db, IP.db, 5432), 'shop_backend'),
      exec(h.at(2), api, '/usr/local/bin/api', ['api']),
      fileChanged(h.at(3), api, '/var/log/api/out.log'),
    );
    const b = h.runner.baseline('shop/api');
    expect(b?.egress).toEqual([{ ip: IP.partner, name: 'partner.shipwatch.test', port: 443, protocol: 'tcp' }]);
    expect(b?.peers).toEqual([{ workload: 'shop/db', port: 5432, protocol: 'tcp', direction: 'out' }]);
    expect(h.runner.baseline('shop/db')?.peers).toEqual([
      { workload: 'shop/api', port: 5432, protocol: 'tcp', direction: 'in' },
    ]);
    expect(b?.executables).toEqual(['/usr/local/bin/api']);
    expect(b?.pathPrefixes).toEqual(['/var/log/api/*']);
  });

  it('learns a routed flow’s peers from the update that names its real source, not from other updates', () => {
    const h = harness();
    const start = flowStart(h.at(0), containerEnd(api, IP.apiBack, 2), containerEnd(db, IP.db, 5432), 'shop_backend');
    if (start.kind !== 'flow.start') throw new Error('fixture');
    h.feed({ ...start, kind: 'flow.update' });
    expect(h.runner.baseline('shop/api')?.peers ?? []).toEqual([]);
    h.feed({ ...start, kind: 'flow.update', sourceFound: true });
    expect(h.runner.baseline('shop/api')?.peers).toEqual([
      { workload: 'shop/db', port: 5432, protocol: 'tcp', direction: 'out' },
    ]);
    expect(h.runner.baseline('shop/db')?.peers).toEqual([
      { workload: 'shop/api', port: 5432, protocol: 'tcp', direction: 'in' },
    ]);
  });

  it('stops learning when the window ends', () => {
    const h = harness();
    h.feed(exec(h.at(0), api, '/usr/local/bin/api', ['api']));
    h.feed(exec(h.at(LEARN_MS), api, '/usr/bin/python3', ['python3']));
    expect(h.runner.baseline('shop/api')?.executables).toEqual(['/usr/local/bin/api']);
  });

  it('folds resource samples into median and MAD when learning ends', () => {
    const h = harness();
    for (let i = 0; i <= 10; i++) {
      h.feed(
        stats(h.at(i * 5000), api, {
          cpuSeconds: i * 0.5,
          memoryWorkingSetBytes: 1000 + i,
          rxBytes: 0,
          txBytes: 0,
          rxPackets: 0,
          txPackets: 0,
          pids: 4,
        }),
      );
    }
    expect(h.runner.baseline('shop/api')?.resourceSamples.cpu).toHaveLength(10);
    h.feed(
      stats(h.at(LEARN_MS + 5000), api, {
        cpuSeconds: 100,
        memoryWorkingSetBytes: 1,
        rxBytes: 0,
        txBytes: 0,
        rxPackets: 0,
        txPackets: 0,
        pids: 4,
      }),
    );
    const b = h.runner.baseline('shop/api');
    expect(b?.resourceSamples).toEqual({});
    expect(b?.resources.cpu).toEqual({ median: 0.1, mad: 0, samples: 10 });
    expect(b?.resources.pids?.median).toBe(4);
  });
});
