// Property-based fuzzing of the two files users (and attackers who can write them) hand the agent:
// the YAML config and a baseline import. Either parses, or fails with one clear error: a coded
// SW_CONFIG_INVALID for the config, an Error naming the problem for a baseline. Never another
// exception type, never a hang (YAML alias bombs included).
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readConfigFile, validateConfig } from '../../../agent/config.ts';
import { fromYaml, toYaml } from '../../../agent/baseline-store.ts';
import { ShipwatchError } from '../../../core/errors.ts';
import { newBaseline } from '../../../detectors/baseline.ts';

const RUNS = { numRuns: 300, interruptAfterTimeLimit: 8000 } as const;
const dir = mkdtempSync(path.join(tmpdir(), 'sw-fuzz-config-'));

const validConfig = {
  listen: '127.0.0.1:9477',
  learn: '10m',
  egress_allowlist: ['allowed.example', '203.0.113.0/24'],
  webhooks: [{ url: 'http://127.0.0.1:9/hook' }],
  zones: { allowed: [['web', 'app']] },
  response: { auto: { critical: 'isolate' } },
};
/** A valid config with one key replaced by anything: the validator's edges, not only its front door. */
const mutatedConfig = fc
  .tuple(
    fc.constantFrom(...Object.keys(validConfig)),
    fc.oneof(fc.anything(), fc.jsonValue()),
    fc.string({ maxLength: 20 }),
  )
  .map(([key, value, extraKey]) => ({ ...validConfig, [key]: value, [extraKey]: value }));
const aliasBomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`),
].join('\n');

function expectConfigError(error: unknown): void {
  expect(error).toBeInstanceOf(ShipwatchError);
  expect((error as ShipwatchError).code).toBe('SW_CONFIG_INVALID');
}

describe('config loader under fuzzing', () => {
  it('validates any value to a frozen config or SW_CONFIG_INVALID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutatedConfig), (raw) => {
        try {
          expect(Object.isFrozen(validateConfig(raw, 'fuzz'))).toBe(true);
        } catch (error) {
          expectConfigError(error);
        }
      }),
      RUNS,
    );
  });

  it('reads any YAML text, alias bombs and deep nesting included, to options or SW_CONFIG_INVALID', () => {
    let n = 0;
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      mutatedConfig.map((c) => stringify(c)),
      fc.constant(aliasBomb),
      fc.integer({ min: 1000, max: 20_000 }).map((d) => `a: ${'['.repeat(d)}${']'.repeat(d)}`),
    );
    fc.assert(
      fc.property(text, (yaml) => {
        const file = path.join(dir, `c${n++}.yaml`);
        writeFileSync(file, yaml);
        try {
          validateConfig(readConfigFile(file), file);
        } catch (error) {
          expectConfigError(error);
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 8000 },
    );
  });
});

describe('baseline import under fuzzing', () => {
  const good = toYaml([newBaseline('shop/api', 0, 600_000)]);

  it('imports any text to validated baselines or one Error, never another throwable', () => {
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 5 }))
      .map(([edits]) =>
        edits.reduce((text, [at, s]) => text.slice(0, at % text.length) + s + text.slice(at % text.length), good),
      );
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ maxLength: 300 }), fc.constant(aliasBomb)), (text) => {
        try {
          for (const baseline of fromYaml(text)) expect(typeof baseline.workload).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });
});
