// The README is the users' copy of the contract: every config key, every variable and every
// endpoint of DESIGN.md must be in it, so a user never meets one that is documented nowhere.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../agent/config.ts';
import { ENV_KEYS } from '../../agent/env.ts';

const README = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
const HTTP_SECTION = README.slice(
  README.indexOf('\n## HTTP\n'),
  README.indexOf('\n### ', README.indexOf('\n## HTTP\n')),
);

describe('the README', () => {
  it('lists every config key in the configuration table', () => {
    for (const key of Object.keys(configSchema.shape)) {
      expect(README, key).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, 'm'));
    }
  });

  it('names every SHIPWATCH_* variable the agent reads', () => {
    for (const key of ENV_KEYS) expect(README).toContain(`SHIPWATCH_${key.toUpperCase()}`);
  });

  it("lists every endpoint of DESIGN.md's HTTP table", () => {
    for (const endpoint of [
      '`GET /healthz`',
      '`GET /metrics`',
      '`GET /api/alerts?since=&limit=&rule=&container=`',
      '`GET /api/containers`',
      '`GET /api/flows`',
      '`POST /api/containers/{id or name}/isolate`',
      '`POST /api/containers/{id or name}/release`',
      '`GET`/`PUT`/`DELETE /api/baselines/{workload}`',
      '`GET /api/stream`',
      '`GET /`',
      '`GET /api/openapi.json`',
    ]) {
      expect(HTTP_SECTION).toContain(endpoint);
    }
  });
});
