import { describe, expect, it } from 'vitest';
import { IP, api, containerEnd, externalEnd, flowStart, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

describe('metadata_service_access', () => {
  it.each(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'])(
    'alerts when a container reaches %s, even while learning',
    (ip) => {
      const h = harness();
      h.feed(started(h.at(0), api));
      const found = h.feed(
        flowStart(h.at(10), containerEnd(api, IP.apiBack, 40000), externalEnd(ip, 80), 'shop_backend'),
      );
      const metadata = found.filter((f) => f.rule === 'metadata_service_access');
      expect(metadata).toHaveLength(1);
      expect(metadata[0]?.summary).toMatch(/metadata service/);
      expect(metadata[0]?.details).toMatchObject({ flow: { dst: { ip, port: 80 } } });
    },
  );

  it('stays silent for other addresses and for a metadata address on the egress allowlist', () => {
    const h = harness({ allowlist: ['169.254.169.254/32:80'] });
    h.feed(started(h.at(0), api));
    const found = h.feed(
      flowStart(h.at(10), containerEnd(api, IP.apiBack, 40000), externalEnd('169.254.169.254', 80), 'shop_backend'),
      flowStart(h.at(20), containerEnd(api, IP.apiBack, 40001), externalEnd(IP.partner, 80), 'shop_backend'),
      flowStart(h.at(30), containerEnd(api, IP.apiBack, 40002), externalEnd('169.254.169.253', 80), 'shop_backend'),
    );
    expect(found.filter((f) => f.rule === 'metadata_service_access')).toEqual([]);
  });
});
