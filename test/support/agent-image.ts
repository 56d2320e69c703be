// The shipwatch image as users build and run it, on the private test daemon: the repository's
// Dockerfile built on local base images (scripts/image-bases.sh; no registry is reachable, and
// the build runs with no network at all), and `docker run` arguments translated from
// deploy/compose.yaml, so the test grants exactly the capabilities and mounts users are told to.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DOCKER_HOST, TESTENV_DIR } from './testenv.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
export const AGENT_IMAGE = 'shipwatch-test/agent:latest';

interface ComposeService {
  network_mode?: string;
  pid?: string;
  cgroup?: string;
  user?: string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  privileged?: boolean;
}

export function composeService(): ComposeService {
  const compose = parse(readFileSync(path.join(ROOT, 'deploy/compose.yaml'), 'utf8')) as {
    services: { shipwatch: ComposeService };
  };
  return compose.services.shipwatch;
}

/** Makes (or finds, by content hash) the base images and builds the Dockerfile on them. */
export async function buildAgentImage(): Promise<void> {
  const env = { ...process.env, DOCKER_HOST };
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/image-bases.sh')], { env, maxBuffer: 1 << 20 });
  const bases = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  const args = ['build', '--pull=false', '--network', 'none', '-t', AGENT_IMAGE];
  for (const name of ['BUILD_BASE', 'RUNTIME_BASE']) {
    if (!bases[name]) throw new Error(`scripts/image-bases.sh printed no ${name}: ${stdout}`);
    args.push('--build-arg', `${name}=${bases[name]}`);
  }
  // The classic builder: it uses local images as they are and never asks a registry about them.
  await run('docker', [...args, ROOT], {
    env: { ...env, DOCKER_BUILDKIT: '0' },
    maxBuffer: 64 << 20,
    timeout: 280_000,
  }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`docker build failed: ${error.message}\n${(error.stdout ?? '').slice(-3000)}${error.stderr ?? ''}`);
  });
}

/**
 * `docker run` options for the agent from deploy/compose.yaml. Host paths of this machine's
 * engine become the test daemon's: its socket, and its data root (mounted at its own path, as
 * the compose file mounts /var/lib/docker at /var/lib/docker); the named state volume becomes
 * `stateVolume`; `env` is added to (and overrides) the compose environment.
 */
export function composeRunOptions(stateVolume: string, env: Record<string, string>): string[] {
  const service = composeService();
  if (service.privileged) throw new Error('deploy/compose.yaml must not be privileged');
  const options: string[] = [];
  if (service.network_mode) options.push('--network', service.network_mode);
  if (service.pid) options.push('--pid', service.pid);
  if (service.cgroup) options.push('--cgroupns', service.cgroup);
  if (service.user) options.push('--user', service.user);
  for (const cap of service.cap_drop ?? []) options.push('--cap-drop', cap);
  for (const cap of service.cap_add ?? []) options.push('--cap-add', cap);
  for (const opt of service.security_opt ?? []) options.push('--security-opt', opt);
  if (service.read_only) options.push('--read-only');
  for (const dir of service.tmpfs ?? []) options.push('--tmpfs', dir);
  const dataRoot = path.join(TESTENV_DIR, 'data');
  for (const volume of service.volumes ?? []) {
    const [source = '', target = '', mode] = volume.split(':');
    let mapped: string;
    if (source === '/var/run/docker.sock') mapped = `${path.join(TESTENV_DIR, 'docker.sock')}:${target}`;
    else if (source === '/var/lib/docker') mapped = `${dataRoot}:${dataRoot}`;
    else if (!source.startsWith('/')) mapped = `${stateVolume}:${target}`;
    else mapped = `${source}:${target}`;
    options.push('-v', mode ? `${mapped}:${mode}` : mapped);
  }
  for (const [key, value] of Object.entries({ ...service.environment, ...env })) options.push('-e', `${key}=${value}`);
  return options;
}
