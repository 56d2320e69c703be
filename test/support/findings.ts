// Findings as detectors report them, for tests that raise alerts by hand.
import type { Finding } from '../../findings/index.ts';

export const API_CONTAINER = {
  id: 'a'.repeat(64),
  name: 'shop-api-1',
  image: 'shop/api:1.4',
  workload: 'shop/api',
};

export function egressFinding(port = 4444, at = Date.now(), container = API_CONTAINER): Finding {
  return {
    rule: 'unexpected_egress',
    container,
    key: `203.0.113.10:${port}/tcp`,
    summary: `api (shop/api) connected to 203.0.113.10:${port}/tcp, never seen during learning`,
    details: {
      flow: {
        protocol: 'tcp',
        src: { ip: '198.18.64.3', port: 41234 },
        dst: { ip: '203.0.113.10', port, name: null },
        network: 'shop_backend',
        bytes: 0,
        packets: 1,
      },
    },
    at,
  };
}
