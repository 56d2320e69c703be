// An inbound connection to the second address of a container on two networks (an api on a front
// and a back network, the common shape): reported as the client's flow into the api, never as the
// api connecting out to the client's ephemeral port, and no egress alert.
//
// What this machine's kernel does, seen with tcpdump on both bridges: although the api's main
// route to the client is by its front network (`ip route get CLIENT from BACK_IP` says eth0), the
// SYN-ACK and every later reply leave by the interface the SYN came in on (Linux routes a request
// socket's answer with the incoming interface as its output, `ir_iif`), so the route here is
// symmetric, on the back bridge. The asymmetric case the flow table also handles (the two halves
// of one handshake on two bridges, handshake.ts) is proven by the flow table's unit tests only.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import {
  docker,
  INTERNET_HOST,
  removeContainers,
  removeNetworks,
  runContainer,
  uniqueName,
} from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const NETNS = 'sw-inet';

interface Endpoint {
  ip: string;
  port: number | null;
  kind: string;
  container: { name: string } | string | null;
  name?: string | null;
}
interface Flow {
  src: Endpoint;
  dst: Endpoint;
  networks: string[];
  packetsOut: number;
  packetsIn: number;
}

/** A TCP client on the test internet host: sends a line, returns what came back (bounded: 5 s). */
const CLIENT = `
const [ip, port] = process.argv.slice(1);
const s = require('node:net').connect({ host: ip, port: Number(port), localAddress: '${INTERNET_HOST}' }, () => s.write('hi\\n'));
let got = '';
s.on('data', (d) => { got += d; s.end(); });
s.on('close', () => { console.log(got.trim()); process.exit(0); });
s.on('error', (e) => { console.error(e.message); process.exit(1); });
setTimeout(() => { console.error('timeout'); process.exit(1); }, 5000);
`;

describe("an inbound connection to a two-network container's second address", () => {
  const front = uniqueName('asym-front');
  const back = uniqueName('asym-back');
  const api = uniqueName('asym-api');
  const ruleComment = uniqueName('asym-rule');
  let agent: AgentProcess;
  let backIp = '';
  let ruleInserted = false;

  beforeAll(async () => {
    await docker('network', 'create', front);
    await docker('network', 'create', back);
    await runContainer(
      api,
      ['--network', front, '--label', 'shipwatch.workload=swt/asym-api'],
      ['sh', '-c', 'while true; do echo hello | nc -l -p 8080; done'],
    );
    await docker('network', 'connect', back, api);
    backIp = (await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${back}").IPAddress}}`, api)).trim();
    // Only this client, to this address and port, through Docker's user hook.
    await run('iptables', [
      '-I',
      'DOCKER-USER',
      '-s',
      `${INTERNET_HOST}/32`,
      '-d',
      `${backIp}/32`,
      '-p',
      'tcp',
      '--dport',
      '8080',
      '-m',
      'comment',
      '--comment',
      ruleComment,
      '-j',
      'ACCEPT',
    ]);
    ruleInserted = true;
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-asym-'));
    // learn: 0 monitors at once: any egress of the api would be unexpected.
    writeFileSync(path.join(dir, 'config.yaml'), 'learn: 0\n');
    agent = await startAgent(['--config', path.join(dir, 'config.yaml')]);
    await waitFor(
      async () => ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as { status: string }).status === 'ok',
      {
        what: 'the agent healthy',
      },
    ).catch(() => undefined);
  }, 90_000);

  afterAll(async () => {
    if (ruleInserted)
      await run('iptables', [
        '-D',
        'DOCKER-USER',
        '-s',
        `${INTERNET_HOST}/32`,
        '-d',
        `${backIp}/32`,
        '-p',
        'tcp',
        '--dport',
        '8080',
        '-m',
        'comment',
        '--comment',
        ruleComment,
        '-j',
        'ACCEPT',
      ]).catch(() => undefined);
    await agent?.stop();
    await removeContainers(api);
    await removeNetworks(front, back);
  });

  it('is one inbound flow from the client, never the api connecting out, and raises no egress alert', async () => {
    const since = Date.now();
    const { stdout } = await run('ip', ['netns', 'exec', NETNS, process.execPath, '-e', CLIENT, backIp, '8080'], {
      timeout: 10_000,
    });
    expect(stdout.trim()).toBe('hello');

    const flowsNow = async (): Promise<Flow[]> => {
      const active = (await (await fetch(`${agent.baseUrl}/api/flows`)).json()) as { flows: Flow[] };
      const ended = (await (await fetch(`${agent.baseUrl}/api/flows/history?since=2m`)).json()) as { flows: Flow[] };
      return [...active.flows, ...ended.flows];
    };
    const inbound = await waitFor(
      async () =>
        (await flowsNow()).find((f) => f.src.ip === INTERNET_HOST && f.dst.ip === backIp && f.dst.port === 8080),
      { timeout: 5000, what: 'the inbound flow' },
    ).catch(async (error: Error) => {
      const mine = (await flowsNow()).filter((f) => [f.src.ip, f.dst.ip].includes(INTERNET_HOST));
      throw new Error(`${error.message}; flows with the client: ${JSON.stringify(mine)}`);
    });
    // A live flow holds the container; the flow log its id, with the name beside it.
    const dstName = typeof inbound.dst.container === 'string' ? inbound.dst.name : inbound.dst.container?.name;
    expect(dstName).toBe(api);
    expect(inbound.src.kind).toBe('external');
    // Both directions counted in the one flow.
    expect(inbound.packetsOut).toBeGreaterThan(0);
    expect(inbound.packetsIn).toBeGreaterThan(0);
    // Give a wrong half its chance to show, then check there was none.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await flowsNow()).filter((f) => f.src.ip === backIp && f.dst.ip === INTERNET_HOST)).toEqual([]);
    const egress = agent.logs.filter(
      (l) =>
        l.msg === 'alert' &&
        l.rule === 'unexpected_egress' &&
        (l.container as { name?: string } | null)?.name === api &&
        Date.parse(String(l.time)) >= since - 1000,
    );
    expect(egress).toEqual([]);
  });
});
