// Compares what the agent serves at /api/containers with what `docker inspect` says, field by
// field, for the acceptance checks of the inventory.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ApiContainer {
  id: string;
  name: string;
  image: string;
  workload: string;
  labels: Record<string, string>;
  dockerState: string;
  state: string;
  pid: number;
  startedAt: string | null;
  networks: {
    name: string;
    ipv4: string | null;
    ipv6: string | null;
    mac: string | null;
    aliases: string[];
    zone: string;
  }[];
}

interface Inspect {
  Id: string;
  Name: string;
  Config: { Image: string; Labels: Record<string, string> | null };
  State: { Status: string; Pid: number };
  NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> };
}

export async function inspect(dockerHost: string, name: string): Promise<Inspect | null> {
  try {
    const { stdout } = await run('docker', ['inspect', name], { env: { ...process.env, DOCKER_HOST: dockerHost } });
    return (JSON.parse(stdout) as Inspect[])[0] ?? null;
  } catch {
    return null;
  }
}

/** The differences between docker inspect and the agent's view of one container ([] = they match). */
export function differences(truth: Inspect | null, api: ApiContainer | undefined): string[] {
  if (!truth) return api ? [`agent still lists ${api.name}`] : [];
  if (!api) return [`agent does not list ${truth.Name}`];
  const diffs: string[] = [];
  const expect = (what: string, want: unknown, got: unknown) => {
    if (JSON.stringify(want) !== JSON.stringify(got))
      diffs.push(`${what}: docker ${JSON.stringify(want)}, agent ${JSON.stringify(got)}`);
  };
  expect('id', truth.Id, api.id);
  expect('name', truth.Name.replace(/^\//, ''), api.name);
  expect('image', truth.Config.Image, api.image);
  expect('state', truth.State.Status, api.dockerState);
  expect('pid', truth.State.Pid, api.pid);
  const networks = Object.entries(truth.NetworkSettings.Networks)
    .map(([name, n]) => ({ name, ipv4: n.IPAddress || null, mac: n.MacAddress || null }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const apiNetworks = api.networks
    .map((n) => ({ name: n.name, ipv4: n.ipv4, mac: n.mac }))
    .sort((a, b) => a.name.localeCompare(b.name));
  expect('networks', networks, apiNetworks);
  return diffs;
}

export async function apiContainers(baseUrl: string): Promise<ApiContainer[]> {
  return (await (await fetch(`${baseUrl}/api/containers`)).json()) as ApiContainer[];
}
