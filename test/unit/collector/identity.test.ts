import { describe, expect, it } from 'vitest';
import { imageRepository, isSecretLookingName, workloadOf, zoneOf } from '../../../collector/identity.ts';

describe('workload identity', () => {
  it('prefers the shipwatch.workload label', () => {
    expect(workloadOf({ 'shipwatch.workload': 'payments', 'com.docker.compose.project': 'shop' }, 'x:1')).toBe(
      'payments',
    );
  });

  it('uses Compose project/service when there is no label', () => {
    expect(
      workloadOf({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' }, 'shop/api:1.4'),
    ).toBe('shop/api');
  });

  it('falls back to the image repository without tag or digest', () => {
    expect(workloadOf({}, 'registry.local:5000/shop/api:1.4@sha256:abc')).toBe('registry.local:5000/shop/api');
    expect(imageRepository('registry.local:5000/shop/api')).toBe('registry.local:5000/shop/api');
    expect(imageRepository('busybox')).toBe('busybox');
  });
});

describe('zones', () => {
  it('takes the network label first, then the configured mapping, else the network name', () => {
    expect(zoneOf('backend', { 'shipwatch.zone': 'pci' }, { backend: 'internal' })).toBe('pci');
    expect(zoneOf('backend', {}, { backend: 'internal' })).toBe('internal');
    expect(zoneOf('backend', {}, {})).toBe('backend');
  });
});

describe('secret-looking environment names', () => {
  it('recognises passwords, tokens, secrets and AWS keys, not ordinary names', () => {
    for (const name of ['DB_PASSWORD', 'GITHUB_TOKEN', 'APP_SECRET', 'AWS_SECRET_ACCESS_KEY', 'STRIPE_API_KEY']) {
      expect(isSecretLookingName(name), name).toBe(true);
    }
    for (const name of ['PATH', 'HOME', 'TOKENIZER_MODE', 'LANG']) expect(isSecretLookingName(name), name).toBe(false);
  });
});
