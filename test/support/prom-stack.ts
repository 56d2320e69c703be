// Real Prometheus and Alertmanager (Debian's binaries), each on a free loopback port with its
// config and storage in a temp dir, for tests that let the real tools judge.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './wait.ts';
import { freePort } from './webhook-receiver.ts';

export interface Daemon {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

async function startDaemon(
  binary: string,
  args: string[],
  dir: string,
  url: string,
  ready: string | (() => Promise<boolean>),
): Promise<Daemon> {
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${binary} exited: ${output.join('')}`);
      return typeof ready === 'string' ? (await fetch(`${url}${ready}`)).ok : await ready();
    },
    { timeout: 30_000, interval: 200, what: `${binary} to be ready` },
  );
  return {
    url,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Prometheus scraping `target` (host:port) every second. */
export async function startPrometheus(target: string): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-prom-'));
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: shipwatch\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  return startDaemon(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
}

/** Alertmanager with clustering off and a receiver that sends nowhere; on `port` to come back where it was. */
export async function startAlertmanager(port?: number): Promise<Daemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-am-'));
  port ??= await freePort();
  writeFileSync(path.join(dir, 'alertmanager.yml'), `route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n`);
  return startDaemon(
    'prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
}

export interface ClusterMember extends Daemon {
  /** Authorization header value its web config demands, if any. */
  authorization: string | null;
  /** The CA (PEM) that signed its certificate, when it serves HTTPS. */
  ca: Buffer | null;
}

/** GET over http or https trusting `ca`, with an Authorization header: the members' own API. */
export function getJson(
  url: string,
  authorization: string | null,
  ca: Buffer | null,
): Promise<{ status: number; body: unknown }> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(
      target,
      { headers: authorization ? { authorization } : {}, ...(ca ? { ca } : {}), timeout: 5000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on('error', reject);
  });
}

/** A self-signed certificate for 127.0.0.1 (its own CA), made offline with openssl. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * Alertmanagers clustered over loopback gossip (each peering with the first), each with its own
 * storage; with `basicAuth` their web config demands it (bcrypt hash, as exporter-toolkit wants);
 * members listed in `tlsMembers` serve HTTPS with a self-signed certificate.
 */
export async function startAlertmanagerCluster(
  size: number,
  options: { basicAuth?: { username: string; password: string; bcrypt: string }; tlsMembers?: number[] } = {},
): Promise<ClusterMember[]> {
  const ports = await Promise.all(Array.from({ length: size }, () => Promise.all([freePort(), freePort()])));
  const authorization = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : null;
  const first = ports[0]![1];
  return Promise.all(
    ports.map(async ([web, gossip], index) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'sw-amc-'));
      writeFileSync(
        path.join(dir, 'alertmanager.yml'),
        `route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n`,
      );
      const tls = options.tlsMembers?.includes(index) ? selfSignedCert(dir) : null;
      let webConfig = '';
      if (tls) webConfig += `tls_server_config:\n  cert_file: ${tls.cert}\n  key_file: ${tls.key}\n`;
      if (options.basicAuth)
        webConfig += `basic_auth_users:\n  ${options.basicAuth.username}: '${options.basicAuth.bcrypt}'\n`;
      writeFileSync(path.join(dir, 'web.yml'), webConfig);
      const url = `${tls ? 'https' : 'http'}://127.0.0.1:${web}`;
      const ca = tls ? readFileSync(tls.cert) : null;
      const daemon = await startDaemon(
        'prometheus-alertmanager',
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--web.config.file=${path.join(dir, 'web.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${web}`,
          `--cluster.listen-address=127.0.0.1:${gossip}`,
          `--cluster.advertise-address=127.0.0.1:${gossip}`,
          ...(index === 0 ? [] : [`--cluster.peer=127.0.0.1:${first}`]),
          '--cluster.settle-timeout=1s',
          '--cluster.gossip-interval=100ms',
          '--cluster.pushpull-interval=1s',
        ],
        dir,
        url,
        async () => (await getJson(`${url}/-/ready`, authorization, ca)).status === 200,
      );
      return { ...daemon, authorization, ca };
    }),
  );
}
