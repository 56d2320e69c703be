// The containers of one catalogue run: two busy benign workloads that keep the host busy, one
// container per attacked family, and the benign twins. Every loop is bounded in rounds (and so in
// time). Twins are the legitimate look-alikes of an attack: they must stay silent for its rules.
import { HOSTS } from './attack-host.ts';

export interface ContainerSpec {
  role: string;
  options?: string[];
  /** The entrypoint script (sh -c). */
  script: string;
}

/** `i` rounds of `body`, `pause` seconds apart: every loop ends on its own. */
function loop(rounds: number, pause: number, body: string): string {
  return `i=0; while [ $i -lt ${rounds} ]; do ${body}; i=$((i+1)); sleep ${pause}; done; sleep 600`;
}

const idle = 'sleep 600';
/** A few KB to the usual partner every two seconds: the upload a workload learns. */
const smallUploads = loop(60, 2, `head -c 4000 /dev/zero | nc -w 2 ${HOSTS.sink} 443`);

export const CONTAINERS: ContainerSpec[] = [
  // The busy host: execs, writes and connections every half second.
  ...['busy-1', 'busy-2'].map((role) => ({
    role,
    script: loop(240, 0.5, `date > /tmp/busy; ls -R /etc > /dev/null; echo hi | nc -w 1 ${HOSTS.web} 80 > /dev/null`),
  })),
  // Attack targets. Most only idle: the attacker arrives through docker exec.
  { role: 'atk-meta', script: idle },
  { role: 'atk-scan', script: idle },
  { role: 'atk-inbound', script: idle },
  { role: 'atk-volume', script: smallUploads },
  { role: 'atk-mining', script: idle },
  { role: 'atk-shell', script: idle },
  { role: 'atk-escape', script: idle },
  {
    role: 'atk-socket',
    // The host's own docker CLI (it needs only libc) and the private daemon's socket, mounted in:
    // the classic "Docker socket inside a container" set-up. Filled in by the run (paths vary).
    script: idle,
  },
  { role: 'atk-fileless', options: ['--tmpfs', '/dev/shm:rw,exec,size=16m'], script: idle },
  {
    role: 'atk-logs',
    script: `echo ls > /root/.ash_history; echo "$(date) login root" > /var/log/auth.log; ${loop(120, 1, 'echo "$(date) served" >> /var/log/app.log')}`,
  },
  { role: 'atk-process', script: idle },
  // The twins.
  {
    role: 'twin-meta',
    script: loop(120, 1, `printf 'GET /health HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${HOSTS.web} 80 > /dev/null`),
  },
  {
    role: 'twin-inbound',
    // A service published to the outside: the attack host calls it every 2 s, while learning and after.
    script: loop(150, 0, 'echo ok | nc -l -p 8080'),
  },
  {
    role: 'twin-scan',
    // A crawler: 24 services on one host every few seconds, and they all answer.
    script: loop(30, 2, `for p in $(seq 7000 7023); do nc -w 1 ${HOSTS.services} $p < /dev/null > /dev/null; done`),
  },
  {
    role: 'twin-volume',
    // A backup job: 64 MB to the same sink while learning, and again after it.
    script: loop(10, 5, `head -c 67108864 /dev/zero | nc -w 5 ${HOSTS.sink} 443`),
  },
  {
    role: 'twin-mining',
    // A JSON-RPC service on a port pools use too, asked for its status: not stratum, no miner.
    script: loop(120, 1, `echo '{"jsonrpc":"2.0","method":"status","id":1}' | nc -w 1 ${HOSTS.web} 3333 > /dev/null`),
  },
  {
    role: 'twin-shell',
    // A health check over the same port a reverse shell uses: nc on pipes, no shell on the socket.
    script: loop(120, 1, `echo ping | nc -w 1 ${HOSTS.web} 4444 > /dev/null`),
  },
  {
    role: 'twin-escape',
    // A package build installing under /usr/local, reading kernel settings and listing mounts.
    script: loop(
      120,
      1,
      'mkdir -p /usr/local/lib/pkg && cp /bin/busybox /usr/local/lib/pkg/tool.bin && mount > /dev/null && cat /proc/sys/kernel/hostname > /dev/null',
    ),
  },
  {
    role: 'twin-fileless',
    options: ['--tmpfs', '/dev/shm:rw,size=16m'],
    // Data in /dev/shm (a cache), programs from the image.
    script: loop(120, 1, 'date > /dev/shm/cache && cat /dev/shm/cache > /dev/null && sleep 0.1'),
  },
  {
    role: 'twin-logs',
    // Log rotation: the live log renamed away, the oldest archive deleted, a fresh log written.
    script: loop(
      60,
      2,
      'echo "$(date) served" >> /var/log/app.log; mv /var/log/app.log.1 /var/log/app.log.2 2>/dev/null; mv /var/log/app.log /var/log/app.log.1; rm -f /var/log/app.log.2; echo started > /var/log/app.log',
    ),
  },
  {
    role: 'twin-process',
    // A cron-like job with a healthcheck: Docker's own exec, programs and paths it always uses.
    options: ['--health-cmd', 'true', '--health-interval', '1s'],
    script: loop(120, 1, 'date >> /tmp/cron.log && mkdir -p /var/lib/app && date > /var/lib/app/last-run'),
  },
];
