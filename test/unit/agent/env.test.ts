import { describe, expect, it } from 'vitest';
import { readEnv, unknownEnvVars } from '../../../agent/env.ts';

describe('SHIPWATCH_* variables', () => {
  it('reads the known ones by config key and honours DOCKER_HOST', () => {
    expect(readEnv({ SHIPWATCH_LEARN: '10m', SHIPWATCH_LOG_LEVEL: '', DOCKER_HOST: 'unix:///d.sock' })).toEqual({
      learn: '10m',
      docker_host: 'unix:///d.sock',
    });
  });

  it('names the ones that set nothing, and leaves the test scripts’ own alone', () => {
    const env = {
      SHIPWATCH_LOGLEVEL: 'debug',
      SHIPWATCH_DEDUP_WINDOW: '5m',
      SHIPWATCH_LISTEN: '127.0.0.1:7464',
      SHIPWATCH_KEEP_TESTENV: '1',
      SHIPWATCH_TESTENV_DIR: '/tmp/x',
      OTHER: 'x',
    };
    expect(unknownEnvVars(env)).toEqual(['SHIPWATCH_DEDUP_WINDOW', 'SHIPWATCH_LOGLEVEL']);
  });
});
