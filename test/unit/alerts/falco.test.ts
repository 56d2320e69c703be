import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { splitImage, toFalco } from '../../../alerts/falco.ts';
import { WebhookTransport } from '../../../alerts/webhook.ts';
import type { Finding } from '../../../findings/index.ts';
import { checkFalcoEvent } from '../../support/falco-receiver.ts';
import { API_CONTAINER, egressFinding } from '../../support/findings.ts';
import { VerifyingReceiver } from '../../support/verifying-receiver.ts';

const factory = () =>
  new AlertFactory({
    host: 'docker-host-1',
    dedupWindow: 0,
    now: () => Date.parse('2026-11-23T04:00:00.123Z'),
    newId: () => '0b8f3c2a9d1e4f5a6b7c8d9e0f1a2b3c',
  });

const processFinding: Finding = {
  rule: 'suspicious_process',
  container: API_CONTAINER,
  key: '/bin/sh',
  summary: 'a shell started in api',
  details: { process: { pid: 4242, ppid: 4200, exe: '/bin/sh', cmdline: 'sh -c id', uid: 0, parentExe: '/app/api' } },
  at: 0,
};

const fileFinding: Finding = {
  rule: 'sensitive_file_change',
  container: { ...API_CONTAINER, image: 'registry.test:5000/shop/api:1.4@sha256:' + 'b'.repeat(64) },
  key: '/etc/passwd',
  summary: '/etc/passwd written in api',
  details: { file: { path: '/etc/passwd', op: 'write' } },
  at: 0,
};

describe('toFalco', () => {
  const alert = factory().raise(egressFinding())!.alert;
  const falco = toFalco(alert);

  it("has exactly the top-level fields of Falco's JSON output, uuid included", () => {
    expect(Object.keys(falco).sort()).toEqual(
      ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time', 'uuid'].sort(),
    );
    expect(falco).toMatchObject({
      uuid: '0b8f3c2a-9d1e-4f5a-6b7c-8d9e0f1a2b3c',
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

  it('names a flow as Falco does: the container opened it, so it is the client and the destination the server', () => {
    expect(falco.output_fields).toMatchObject({
      'evt.type': 'connect',
      'evt.time': Date.parse('2026-11-23T04:00:00.123Z') * 1e6,
      'container.id': 'aaaaaaaaaaaa',
      'container.name': 'shop-api-1',
      'container.image.repository': 'shop/api',
      'container.image.tag': '1.4',
      'fd.cip': '198.18.64.3',
      'fd.cport': 41234,
      'fd.sip': '203.0.113.10',
      'fd.sport': 4444,
      'fd.l4proto': 'tcp',
      'fd.name': '198.18.64.3:41234->203.0.113.10:4444',
      'shipwatch.flow.network': 'shop_backend',
      'shipwatch.id': alert.id,
    });
    expect(Object.keys(falco.output_fields).filter((k) => k.startsWith('shipwatch.flow.'))).not.toContain(
      'shipwatch.flow.dst.ip',
    );
  });

  it('names a process as Falco does', () => {
    expect(toFalco(factory().raise(processFinding)!.alert).output_fields).toMatchObject({
      'evt.type': 'execve',
      'proc.exepath': '/bin/sh',
      'proc.name': 'sh',
      'proc.cmdline': 'sh -c id',
      'proc.args': '-c id',
      'proc.pid': 4242,
      'proc.ppid': 4200,
      'proc.pexepath': '/app/api',
      'user.uid': 0,
    });
  });

  it('names a file change as Falco does, and splits a registry image with port and digest', () => {
    expect(toFalco(factory().raise(fileFinding)!.alert).output_fields).toMatchObject({
      'evt.type': 'openat',
      'fd.name': '/etc/passwd',
      'fd.directory': '/etc',
      'fd.filename': 'passwd',
      'container.image.repository': 'registry.test:5000/shop/api',
      'container.image.tag': '1.4',
    });
  });

  it('reads an image without a tag as repository only, a port being no tag', () => {
    expect(splitImage('registry.test:5000/shop/api')).toEqual({ repository: 'registry.test:5000/shop/api', tag: null });
  });

  it('carries the MITRE mapping as tags', () => {
    expect(falco.tags).toEqual(['network', 'mitre_exfiltration', 'T1041']);
  });

  it("maps every severity onto Falco's priorities", () => {
    const priorities = (['info', 'low', 'medium', 'high', 'critical'] as const).map(
      (severity) => toFalco({ ...alert, severity }).priority,
    );
    expect(priorities).toEqual(['Informational', 'Notice', 'Warning', 'Error', 'Critical']);
  });
});

describe('format: falco through a receiver checking falcosidekick schema and Falco field meanings', () => {
  const receiver = new VerifyingReceiver(checkFalcoEvent);
  let url = '';
  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(() => receiver.stop());

  for (const [what, finding] of [
    ['a flow', egressFinding()],
    ['a process', processFinding],
    ['a file change', fileFinding],
  ] as const) {
    it(`is accepted for ${what}`, async () => {
      const transport = new WebhookTransport({
        url,
        format: 'falco',
        headers: {},
        timeout: 2000,
        min_severity: 'info',
      });
      const result = await transport.send(factory().raise(finding)!.alert, new AbortController().signal);
      expect(receiver.judged.at(-1)?.problems).toEqual([]);
      expect(result).toEqual({ outcome: 'delivered' });
    });
  }

  it('refuses a rendering whose flow has client and server swapped', () => {
    const event = toFalco(factory().raise(egressFinding())!.alert);
    const swapped = { ...event.output_fields, 'fd.sip': '198.18.64.3', 'fd.cip': '203.0.113.10' };
    expect(checkFalcoEvent({}, JSON.stringify({ ...event, output_fields: swapped }))).toContain(
      'fd.name: the tuple cip:cport->sip:sport',
    );
  });
});
