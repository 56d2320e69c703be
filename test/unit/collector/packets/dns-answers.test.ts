import { encode } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DnsNames, parseDnsResponse } from '../../../../collector/packets/dns-answers.ts';

describe('parseDnsResponse', () => {
  it('maps the question name to the A and AAAA addresses of the answer, through a CNAME', () => {
    const payload = encode({
      type: 'response',
      id: 1,
      questions: [{ type: 'A', name: 'Exfil.Shipwatch.Test' }],
      answers: [
        { type: 'CNAME', name: 'exfil.shipwatch.test', data: 'edge.shipwatch.test' },
        { type: 'A', name: 'edge.shipwatch.test', data: '203.0.113.10' },
        { type: 'AAAA', name: 'edge.shipwatch.test', data: '2001:db8::10' },
      ],
    });
    expect(parseDnsResponse(payload)).toEqual({
      name: 'exfil.shipwatch.test',
      addresses: ['203.0.113.10', '2001:db8::10'],
    });
  });

  it('returns null for a query and for a response without addresses', () => {
    expect(parseDnsResponse(encode({ type: 'query', id: 2, questions: [{ type: 'A', name: 'a.test' }] }))).toBeNull();
    expect(
      parseDnsResponse(encode({ type: 'response', id: 3, questions: [{ type: 'A', name: 'a.test' }] })),
    ).toBeNull();
  });

  it('reports garbage and truncated responses as malformed without throwing', () => {
    const good = encode({
      type: 'response',
      id: 4,
      questions: [{ type: 'A', name: 'partner.shipwatch.test' }],
      answers: [{ type: 'A', name: 'partner.shipwatch.test', data: '203.0.113.20' }],
    });
    for (let length = 12; length < good.length; length++) {
      expect([null, 'malformed']).toContain(parseDnsResponse(good.subarray(0, length)));
    }
    const loop = Buffer.from(good);
    loop.writeUInt16BE(0xc00c, 12); // a name pointer to itself
    expect(() => parseDnsResponse(loop)).not.toThrow();
  });
});

describe('DnsNames', () => {
  it('names an address until the answer is an hour old', () => {
    const names = new DnsNames();
    names.remember('c1', { name: 'exfil.shipwatch.test', addresses: ['203.0.113.10'] }, 0);
    expect(names.nameOf('c1', '203.0.113.10', 59 * 60_000)).toBe('exfil.shipwatch.test');
    expect(names.nameOf('c1', '203.0.113.10', 61 * 60_000)).toBeNull();
  });

  it('keeps a name for the client that asked: a neighbour resolving the same address learns nothing from it', () => {
    const names = new DnsNames();
    names.remember('attacker', { name: 'allowed.example', addresses: ['203.0.113.20'] }, 0);
    expect(names.nameOf('victim', '203.0.113.20', 1)).toBeNull();
    names.forget('attacker', ['203.0.113.20']);
    expect(names.nameOf('attacker', '203.0.113.20', 1)).toBeNull();
  });
});
