import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../agent/config.ts';
import { detectorConfig } from '../../../agent/detection.ts';

describe('detector configuration', () => {
  it('hands the detectors the learning window, parsed allowlist, zone pairs and registries', () => {
    const config = validateConfig(
      {
        learn: '20s',
        egress_allowlist: ['*.shipwatch.test:443/tcp'],
        zones: { allow: [['dmz', 'internal']] },
        trusted_registries: ['registry.example.internal'],
      },
      'test',
    );
    const d = detectorConfig(config);
    expect(d.learnMs).toBe(20_000);
    expect(d.egressAllowlist).toMatchObject([{ kind: 'name', port: 443, protocol: 'tcp' }]);
    expect(d.zoneAllow).toEqual([['dmz', 'internal']]);
    expect(d.trustedRegistries).toEqual(['registry.example.internal']);
  });
});
