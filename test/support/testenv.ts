// Where the private test environment of scripts/testenv.sh lives, and small helpers around the
// docker CLI pointed at it. Tests never use another daemon.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TESTENV_DIR = process.env.SHIPWATCH_TESTENV_DIR ?? '/tmp/sw-env';
export const DOCKER_HOST = `unix://${TESTENV_DIR}/docker.sock`;
export const TEST_IMAGE = 'shipwatch-test/busybox:latest';
/** Test "internet" hosts (scripts/test-host.mjs): TCP 80, 443, 4444, 8080, 9000; UDP 9999; DNS on .53. */
export const INTERNET_HOST = '203.0.113.10';
export const INTERNET_HOST_2 = '203.0.113.20';

/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `swt-${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, {
    env: { ...process.env, DOCKER_HOST },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** `docker run -d` of the test image; `--pull=never` always: a missing image must not trigger a registry lookup. */
export async function runContainer(
  name: string,
  options: string[] = [],
  command: string[] = ['sleep', '600'],
): Promise<string> {
  return docker('run', '-d', '--pull=never', '--name', name, ...options, TEST_IMAGE, ...command);
}

export async function removeContainers(...names: string[]): Promise<void> {
  if (names.length) await docker('rm', '-f', ...names).catch(() => '');
}

export async function removeNetworks(...names: string[]): Promise<void> {
  for (const name of names) await docker('network', 'rm', name).catch(() => '');
}
