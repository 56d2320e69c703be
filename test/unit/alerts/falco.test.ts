import { describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { toFalco } from '../../../alerts/falco.ts';
import { egressFinding } from '../../support/findings.ts';

describe('toFalco', () => {
  const factory = new AlertFactory({
    host: 'docker-host-1',
    dedupWindow: 0,
    now: () => Date.parse('2026-11-23T04:00:00.123Z'),
    newId: () => 'abc',
  });
  const alert = factory.raise(egressFinding())!.alert;
  const falco = toFalco(alert);

  it('has exactly the fields Falco outputs', () => {
    expect(Object.keys(falco).sort()).toEqual(
      ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time'].sort(),
    );
    expect(falco).toMatchObject({
      time: '2026-11-23T04:00:00.123Z',
      rule: 'unexpected_egress',
      priority: 'Error',
      hostname: 'docker-host-1',
      source: 'shipwatch',
    });
  });

  it('starts output with time and priority as Falco does, then the summary', () => {
    expect(falco.output).toBe(`2026-11-23T04:00:00.123Z: Error ${alert.summary}`);
  });

  it('flattens container and details into dotted output fields', () => {
    expect(falco.output_fields).toMatchObject({
      'container.id': 'aaaaaaaaaaaa',
      'container.name': 'shop-api-1',
      'container.image.repository': 'shop/api:1.4',
      'shipwatch.flow.dst.ip': '203.0.113.10',
      'shipwatch.flow.dst.port': 4444,
      'shipwatch.id': 'abc',
    });
  });

  it('carries the MITRE mapping as tags', () => {
    expect(falco.tags).toEqual(['network', 'mitre_exfiltration', 'T1041']);
  });

  it('maps critical to Critical and info to Informational', () => {
    expect(toFalco({ ...alert, severity: 'critical' }).priority).toBe('Critical');
    expect(toFalco({ ...alert, severity: 'info' }).priority).toBe('Informational');
  });
});
