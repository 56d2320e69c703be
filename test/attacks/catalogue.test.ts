// The attack catalogue against the real agent on the private daemon, with a busy benign host:
// every technique raises its rule in its container, with its MITRE technique, within its time
// limit; its benign twin raises none of the rules the attack raised. `npm run attacks` runs this
// file and prints the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogueRun, selectedTechniques, type TechniqueResult } from './run-catalogue.ts';
import { resultTable } from './table.ts';

describe('the attack catalogue', () => {
  const run = new CatalogueRun();
  let results = new Map<string, TechniqueResult>();
  let twinInbound: { port: number; protocol: string }[] = [];

  beforeAll(async () => {
    await run.setUp();
    await run.learned();
    results = new Map((await run.attack()).map((r) => [r.technique.id, r]));
    twinInbound = (await run.baseline('twin-inbound')).inbound ?? [];
  }, 150_000);

  afterAll(async () => {
    if (run.results.length > 0) console.log(`\n${resultTable(run.results)}\n`);
    await run.tearDown();
  }, 60_000);

  it('called twin-inbound from outside while it learned, so its silence means something', () => {
    expect(twinInbound).toContainEqual({ port: 8080, protocol: 'tcp' });
  });

  describe.each(selectedTechniques().map((t) => [t.id, t] as const))('%s', (id, technique) => {
    it(`raises ${technique.rule} (${technique.mitre}) in ${technique.container} within ${technique.limitMs / 1000} s`, () => {
      const r = results.get(id);
      expect(r?.error ?? null).toBeNull();
      expect(r?.alert?.container?.name).toBe(r?.container);
      expect(r?.alert?.mitre?.technique).toBe(technique.mitre);
      expect(r?.latencyMs).toBeLessThanOrEqual(technique.limitMs);
    });

    it(`leaves its twin ${technique.twin} silent for the rules the attack raised`, () => {
      const r = results.get(id);
      expect(r?.attackRules).toContain(technique.rule);
      expect(r?.twinAlerts).toEqual([]);
    });
  });
});
