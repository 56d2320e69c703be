import { describe, expect, it } from 'vitest';
import { mergeBaselines } from '../../../detectors/baseline-merge.ts';
import { baselineSchema } from '../../../detectors/baseline.ts';

const base = (over: Record<string, unknown>) =>
  baselineSchema.parse({ workload: 'shop/api', firstSeen: 1000, learnUntil: 2000, ...over });

describe('mergeBaselines', () => {
  it('keeps the union of what either host learned, each entry once', () => {
    const a = base({
      egress: [{ ip: '203.0.113.10', port: 443, protocol: 'tcp' }],
      executables: ['/bin/sh'],
      pathPrefixes: ['/tmp/*'],
      peers: [{ workload: 'shop/db', port: 5432, protocol: 'tcp', direction: 'out' }],
      inbound: [{ port: 8443, protocol: 'tcp' }],
    });
    const b = base({
      egress: [
        { ip: '203.0.113.10', port: 443, protocol: 'tcp' },
        { ip: '203.0.113.20', port: 80, protocol: 'tcp' },
      ],
      executables: ['/bin/sh', '/usr/bin/curl'],
      pathPrefixes: ['/var/log/app/*'],
      inbound: [
        { port: 8443, protocol: 'tcp' },
        { port: 53, protocol: 'udp' },
      ],
    });
    const merged = mergeBaselines(a, b);
    expect(merged.egress.map((e) => `${e.ip}:${e.port}`)).toEqual(['203.0.113.10:443', '203.0.113.20:80']);
    expect(merged.executables).toEqual(['/bin/sh', '/usr/bin/curl']);
    expect(merged.pathPrefixes).toEqual(['/tmp/*', '/var/log/app/*']);
    expect(merged.peers).toHaveLength(1);
    expect(merged.inbound).toEqual([
      { port: 8443, protocol: 'tcp' },
      { port: 53, protocol: 'udp' },
    ]);
  });

  it('combines resource statistics weighted by their samples', () => {
    const a = base({ resources: { cpu: { median: 1, mad: 0.1, samples: 30 } } });
    const b = base({
      resources: { cpu: { median: 3, mad: 0.3, samples: 10 }, pids: { median: 4, mad: 0, samples: 5 } },
    });
    const merged = mergeBaselines(a, b);
    expect(merged.resources.cpu?.median).toBeCloseTo(1.5);
    expect(merged.resources.cpu?.samples).toBe(40);
    expect(merged.resources.pids).toEqual({ median: 4, mad: 0, samples: 5 });
  });

  it('takes the earliest window, so a workload learned anywhere is monitored everywhere', () => {
    const merged = mergeBaselines(base({ learnUntil: 5000 }), base({ firstSeen: 500, learnUntil: 1500 }));
    expect(merged.firstSeen).toBe(500);
    expect(merged.learnUntil).toBe(1500);
  });

  it('gives a valid baseline that merging again leaves unchanged in its lists', () => {
    const a = base({ egress: [{ ip: '203.0.113.10', port: 443, protocol: 'tcp' }] });
    const merged = mergeBaselines(a, a);
    expect(baselineSchema.parse(merged)).toEqual(merged);
    expect(mergeBaselines(merged, a).egress).toEqual(merged.egress);
  });
});
