import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BaselineStore, fileNameOf, fromYaml, toYaml } from '../../../agent/baseline-store.ts';
import { validateConfig } from '../../../agent/config.ts';
import { Detection } from '../../../agent/detection.ts';
import { Inventory } from '../../../collector/inventory.ts';
import { newBaseline } from '../../../detectors/baseline.ts';
import { IP, api, containerEnd, exec, externalEnd, fileChanged, flowStart, T0 } from '../../fixtures/events.ts';

const stateDir = () => mkdtempSync(path.join(tmpdir(), 'sw-baselines-'));

function sample() {
  const b = newBaseline('shop/api', T0, 600_000);
  b.egress.push({ ip: IP.partner, name: 'partner.shipwatch.test', port: 443, protocol: 'tcp' });
  b.peers.push({ workload: 'shop/db', port: 5432, protocol: 'tcp', direction: 'out' });
  b.executables.push('/bin/busybox (sh)', '/usr/local/bin/api');
  b.pathPrefixes.push('/var/log/api/*');
  b.resources.cpu = { median: 0.02, mad: 0.005, samples: 120 };
  return b;
}

describe('baseline store', () => {
  it('saves atomically and loads a baseline back unchanged', () => {
    const store = new BaselineStore(stateDir());
    store.save(sample());
    expect(readdirSync(store.dir)).toEqual([fileNameOf('shop/api')]);
    expect(store.load('shop/api')).toEqual(sample());
    expect(store.loadAll()).toEqual({ baselines: [sample()], errors: [] });
  });

  it('reports a corrupt file instead of failing to start, and keeps the good ones', () => {
    const store = new BaselineStore(stateDir());
    store.save(sample());
    writeFileSync(path.join(store.dir, 'broken.json'), '{"workload": ');
    const { baselines, errors } = store.loadAll();
    expect(baselines.map((b) => b.workload)).toEqual(['shop/api']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('broken.json');
  });

  it('loads nothing from a state directory that does not exist yet', () => {
    expect(new BaselineStore(path.join(stateDir(), 'absent')).loadAll()).toEqual({ baselines: [], errors: [] });
  });

  it('round-trips through human-editable YAML export and import', () => {
    const text = toYaml([sample(), { ...sample(), workload: 'shop/web' }]);
    expect(text).toContain('# shipwatch baseline for workload shop/api');
    expect(text).toContain('- /var/log/api/*');
    expect(fromYaml(text)).toEqual([sample(), { ...sample(), workload: 'shop/web' }]);
  });

  it('accepts a hand-edited YAML with defaults filled in, and names the bad key of a broken one', () => {
    const [b] = fromYaml('workload: shop/web\nexecutables: [/usr/sbin/nginx]\n');
    expect(b).toMatchObject({ workload: 'shop/web', mode: 'learned', executables: ['/usr/sbin/nginx'], egress: [] });
    expect(() => fromYaml('workload: shop/web\negress: [{ ip: 1.2.3.4, port: http }]\n')).toThrow(/egress/);
  });
});

describe('baselines across an agent restart', () => {
  const config = (dir: string) => validateConfig({ state_dir: dir, learn: '10m' }, 'test');
  const log = pino({ level: 'silent' });

  it('loads what the previous agent learned and judges against it at once', () => {
    const dir = stateDir();
    const first = new Detection({
      config: config(dir),
      inventory: new Inventory(),
      log,
      onFinding: () => undefined,
      clock: () => T0,
    });
    first.handle(flowStart(T0, containerEnd(api, IP.apiBack, 1), externalEnd(IP.partner, 443), 'shop_backend'));
    first.handle(exec(T0, api, '/usr/local/bin/api', ['api']));
    first.handle(fileChanged(T0, api, '/var/log/api/a.log'));
    first.stop();
    expect(JSON.parse(readFileSync(path.join(dir, 'baselines', fileNameOf('shop/api')), 'utf8'))).toMatchObject({
      workload: 'shop/api',
    });

    const findings: string[] = [];
    const later = T0 + 11 * 60_000;
    const second = new Detection({
      config: config(dir),
      inventory: new Inventory(),
      log,
      onFinding: (f) => findings.push(f.rule),
      clock: () => later,
    });
    expect(second.phase('shop/api')).toBe('monitoring');
    second.handle(flowStart(later, containerEnd(api, IP.apiBack, 2), externalEnd(IP.partner, 443), 'shop_backend'));
    second.handle(exec(later, api, '/usr/local/bin/api', ['api']));
    second.handle(fileChanged(later, api, '/var/log/api/b.log'));
    expect(findings).toEqual([]);
    second.handle(flowStart(later, containerEnd(api, IP.apiBack, 3), externalEnd(IP.evil, 4444), 'shop_backend'));
    expect(findings).toEqual(['unexpected_egress']);
    second.stop();
  });
});
