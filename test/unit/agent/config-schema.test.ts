import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema, validateConfig } from '../../../agent/config.ts';
import { configJsonSchema } from '../../../agent/config-schema.ts';
import { displayConfig } from '../../../agent/config-display.ts';
import { checkJsonSchema } from '../../support/json-schema-check.ts';

const SHIPPED = path.resolve(import.meta.dirname, '../../../docs/config.schema.json');

const VALID: Record<string, unknown>[] = [
  {},
  { learn: 0, stats_interval: 2, dedup_window: '90s', delivery: { retry_min: '250ms', retry_max: '2m' } },
  {
    docker_host: 'unix:///var/run/docker.sock',
    listen: '127.0.0.1:9477',
    learn: '15m',
    webhooks: [{ url: 'https://soc.example.internal/hooks/shipwatch', format: 'falco', secret: 'change-me' }],
    alertmanager: { url: 'http://127.0.0.1:9093', min_severity: 'high' },
    interfaces: ['br-a', 'br-b'],
    zones: { networks: { shop_frontend: 'dmz' }, allow: [['dmz', 'internal']] },
    rules: { new_peer: { enabled: false }, unexpected_egress: { severity: 'critical' } },
    suppressions: [{ workload: 'shop/api', rule: 'unexpected_egress', match: '203.0.113.10', reason: 'known' }],
    response: { auto: { drift_executable: 'isolate', critical: 'pause' }, exempt_workloads: ['infra/vpn'] },
    capture: { max_flows: 1000, snaplen: 128 },
  },
];

const INVALID: Record<string, unknown>[] = [
  { learn: 'often' },
  { learn: -1 },
  { no_such_key: 1 },
  { listen: 'nowhere' },
  { log_level: 'loud' },
  { interfaces: [] },
  { webhooks: [{ url: 'https://x.internal', format: 'xml' }] },
  { webhooks: [{ format: 'falco' }] },
  { alertmanager: { url: 'http://127.0.0.1:9093', extra: true } },
  { zones: { allow: [['dmz']] } },
  { rules: { no_such_rule: { enabled: false } } },
  { rules: { new_peer: { severity: 'urgent' } } },
  { suppressions: [{ workload: 'shop/api' }] },
  { response: { auto: { drift_exectuable: 'isolate' } } },
  { response: { auto: { critical: 'kill' } } },
  { capture: { snaplen: 10 } },
  { delivery: { max_queued: 0 } },
];

describe('the config JSON Schema', () => {
  it('is shipped up to date in docs/config.schema.json', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as unknown;
    expect(
      shipped,
      'regenerate: node bin/shipwatch.js check-config --schema > docs/config.schema.json && npx prettier --write docs/config.schema.json',
    ).toEqual(configJsonSchema());
  });

  it('carries no machine-specific default', () => {
    expect(JSON.stringify(configJsonSchema())).not.toContain(JSON.stringify(configSchema.parse({}).host));
  });

  it.each(VALID.map((sample) => [JSON.stringify(sample), sample]))(
    'accepts what check-config accepts: %s',
    (_, sample) => {
      expect(configSchema.safeParse(sample).success).toBe(true);
      expect(checkJsonSchema(configJsonSchema(), sample)).toEqual([]);
    },
  );

  it.each(INVALID.map((sample) => [JSON.stringify(sample), sample]))(
    'refuses what check-config refuses: %s',
    (_, sample) => {
      expect(configSchema.safeParse(sample).success).toBe(false);
      expect(checkJsonSchema(configJsonSchema(), sample)).not.toEqual([]);
    },
  );

  it('gives duration defaults as text, as a user writes them', () => {
    const properties = configJsonSchema().properties as Record<string, { default?: unknown }>;
    expect(properties.learn?.default).toBe('10m');
    expect(properties.stats_interval?.default).toBe('5s');
  });
});

describe('check-config output', () => {
  it('prints durations the way they are written and reads back as the same config', () => {
    const config = validateConfig(
      { learn: '10m', webhooks: [{ url: 'http://127.0.0.1:9/x', timeout: 2 }], delivery: { retry_min: '250ms' } },
      'test',
    );
    const text = displayConfig(config);
    expect(text).toContain('learn: 10m\n');
    expect(text).toContain('timeout: 2s\n');
    expect(text).toContain('retry_min: 250ms\n');
    expect(validateConfig(parseYaml(text), 'printed')).toEqual(config);
  });
});
