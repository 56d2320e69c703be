// Two real Alertmanagers (Debian's 0.25) clustered over loopback gossip, behind basic auth, the
// second serving HTTPS with a certificate only the configured CA vouches for: the agent sends
// every alert to each member, with the password and the CA read from files, and the alert's
// generatorURL leads back to it on the agent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertAgent, type AlertAgentProcess } from '../support/alert-agent-process.ts';
import { egressFinding } from '../support/findings.ts';
import { getJson, startAlertmanagerCluster, type ClusterMember } from '../support/prom-stack.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/webhook-receiver.ts';
import type { Alert } from '../../alerts/alert.ts';

// bcrypt (cost 4, a test's cost) of PASSWORD, made offline with python3's crypt (libxcrypt's $2b$).
const PASSWORD = 'sw-am-test-password';
const BCRYPT = '$2b$04$4j/YDaxQnlIrFwlvpv0Eg.zsY5CQRYBnmCTub1TOWE.4d8WDGJPwS';

interface AmAlert {
  labels: Record<string, string>;
  generatorURL: string;
}

describe('alerts sent to every member of an Alertmanager cluster', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-amc-test-'));
  let members: ClusterMember[];
  let agent: AlertAgentProcess;
  let raised: Alert;

  beforeAll(async () => {
    members = await startAlertmanagerCluster(2, {
      basicAuth: { username: 'shipwatch', password: PASSWORD, bcrypt: BCRYPT },
      tlsMembers: [1],
    });
    writeFileSync(path.join(dir, 'password'), `${PASSWORD}\n`);
    writeFileSync(path.join(dir, 'ca.pem'), members[1]!.ca!);
    const basic_auth = { username: 'shipwatch', password_file: path.join(dir, 'password') };
    agent = await startAlertAgent({
      config: {
        host: 'test-host',
        state_dir: path.join(dir, 'state'),
        listen: `127.0.0.1:${await freePort()}`,
        alertmanager: [
          { url: members[0]!.url, basic_auth },
          { url: members[1]!.url, basic_auth, tls: { ca: path.join(dir, 'ca.pem') } },
        ],
      },
      repeatFlushMs: 200,
    });
    [raised] = (await agent.raise([egressFinding(4444)])) as [Alert];
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all((members ?? []).map((member) => member.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs two members that see each other as one cluster', async () => {
    for (const member of members) {
      const peers = await waitFor(
        async () => {
          const { body } = await getJson(`${member.url}/api/v2/status`, member.authorization, member.ca);
          const list = (body as { cluster: { peers: unknown[] } }).cluster.peers;
          return list.length === 2 ? list : null;
        },
        { timeout: 20_000, what: 'both members to gossip' },
      );
      expect(peers).toHaveLength(2);
    }
  });

  it('refuses a request without the password, so the agent got in by its own', async () => {
    for (const member of members) {
      expect((await getJson(`${member.url}/api/v2/alerts`, null, member.ca)).status).toBe(401);
    }
  });

  it('delivers the alert to each member directly', async () => {
    for (const member of members) {
      const alert = await waitFor(
        async () => {
          const { body } = await getJson(`${member.url}/api/v2/alerts`, member.authorization, member.ca);
          return (body as AmAlert[]).find((a) => a.labels.alert_id === raised.id);
        },
        { timeout: 20_000, what: `${member.url} to hold the alert` },
      );
      expect(alert.labels).toMatchObject({ alertname: 'unexpected_egress', host: 'test-host' });
    }
  });

  it("carries a generatorURL that resolves to the alert on the agent's API", async () => {
    const { body } = await getJson(`${members[0]!.url}/api/v2/alerts`, members[0]!.authorization, null);
    const alert = (body as AmAlert[]).find((a) => a.labels.alert_id === raised.id)!;
    expect(alert.generatorURL.startsWith(agent.baseUrl)).toBe(true);
    const listed = (await (await fetch(alert.generatorURL)).json()) as { alerts: Alert[] };
    expect(listed.alerts.map((a) => a.id)).toContain(raised.id);
  });
});
