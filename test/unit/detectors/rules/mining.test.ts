import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../findings/index.ts';
import { IP, api, containerEnd, exec, externalEnd, flowStart, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';
import { isStratum } from '../../../../detectors/rules/mining.ts';
import { later } from './flow-events.ts';

const SUBSCRIBE = '{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5.1"]}\n';
const XMRIG_LOGIN =
  '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A","pass":"x"';

function mining(findings: Finding[]) {
  return findings.filter((f) => f.rule === 'crypto_mining');
}

describe('crypto_mining', () => {
  it.each([SUBSCRIBE, XMRIG_LOGIN.slice(0, 128)])('recognises stratum in the first payload bytes: %s', (payload) => {
    expect(isStratum(payload)).toBe(true);
  });

  it.each([
    'GET / HTTP/1.1\r\nHost: x\r\n',
    '{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}',
    '\x16\x03\x01\x02\x00',
  ])('does not take other protocols for stratum: %j', (payload) => expect(isStratum(payload)).toBe(false));

  it('alerts when a flow opens with a stratum subscribe, whatever the port and process', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const start = flowStart(h.at(10), containerEnd(api, IP.apiBack, 40000), externalEnd(IP.evil, 443), 'shop_backend');
    const found = mining(h.feed(start, later(start, h.at(20), 'flow.update', { firstPayload: SUBSCRIBE })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ key: `stratum:${IP.evil}:443` });
    expect(h.feed(later(start, h.at(30), 'flow.end', { firstPayload: SUBSCRIBE }))).toEqual([]);
  });

  it('alerts on a pool port after a miner-like process ran in the container', () => {
    const h = harness();
    h.feed(started(h.at(0), api), exec(h.at(5), api, '/tmp/xmrig', ['sleep', '60']));
    const found = mining(
      h.feed(flowStart(h.at(10), containerEnd(api, IP.apiBack, 40000), externalEnd(IP.evil, 3333), 'shop_backend')),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.summary).toMatch(/mining-pool port, after running the miner-like "sleep 60"/);
  });

  it('alerts when the miner starts just after the pool connection', () => {
    const h = harness();
    h.feed(
      started(h.at(0), api),
      flowStart(h.at(5), containerEnd(api, IP.apiBack, 40000), externalEnd(IP.evil, 14444), 'shop_backend'),
    );
    expect(mining(h.feed(exec(h.at(10), api, '/usr/bin/minerd', ['minerd', '-a', 'cryptonight'])))).toHaveLength(1);
  });

  it('stays silent for a pool port without a miner, and for a plain JSON API', () => {
    const h = harness();
    h.feed(started(h.at(0), api), exec(h.at(1), api, '/usr/bin/curl', ['curl', 'http://x']));
    const start = flowStart(h.at(10), containerEnd(api, IP.apiBack, 40000), externalEnd(IP.evil, 3333), 'shop_backend');
    const found = h.feed(
      start,
      later(start, h.at(20), 'flow.update', { firstPayload: '{"jsonrpc":"2.0","method":"status","id":1}' }),
    );
    expect(mining(found)).toEqual([]);
  });
});
