import { describe, expect, it } from 'vitest';
import { alertSubject, token, workloadKey } from '../../../fleet/subjects.ts';

describe('fleet subjects and keys', () => {
  it('puts host and rule into one token each, whatever the host name holds', () => {
    expect(alertSubject('web-01.prod', 'unexpected_egress')).toBe('shipwatch.alerts.web-01_prod.unexpected_egress');
    expect(token('a b*>')).toBe('a_b__');
  });

  it('encodes a workload as a valid KV key, distinct workloads as distinct keys', () => {
    expect(workloadKey('shop/api')).toBe('shop/api');
    expect(workloadKey('shop/api.v2')).toBe('shop/api=2ev2');
    expect(workloadKey('a b')).not.toBe(workloadKey('a_b'));
    expect(workloadKey('ünï')).toMatch(/^[-/_=A-Za-z0-9]+$/);
  });
});
