// container_escape: what breaking out of a container looks like from its exec and file events —
// entering other namespaces (nsenter, unshare: T1611), mounting host block devices or a cgroup,
// proc or sys file system (the release_agent and core_pattern escapes start so), writing a cgroup
// `release_agent`, the kernel's `core_pattern` or `sysrq-trigger`, loading a kernel module, and
// driving a mounted Docker or containerd socket (docker, ctr, `curl --unix-socket`: T1609). The
// attempt is the alert, whether or not the kernel lets it succeed. Always on. Writes made by a
// shell builtin (`echo x > /proc/sys/kernel/core_pattern` typed into an interactive shell) run no
// program and land outside the overlay: seen only when a command line names them (`sh -c '…'`).
import type { ContainerRef, FileOp, ProcessInfo, ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, StepResult } from '../context.ts';
import { processDetails, quoted, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { commandName } from '../process-classify.ts';
import { commandsOf } from '../shell-commands.ts';

const HOST_FILES =
  /(\/release_agent\b|\/proc\/sys\/kernel\/(core_pattern|modprobe)\b|\/proc\/sysrq-trigger\b|\/sys\/kernel\/uevent_helper\b)/;
const RUNTIME_SOCKET = /(docker|containerd|crio|podman)\.sock\b|\/run\/containerd\/|\/var\/run\/docker\b/;
const RUNTIME_CLIENTS = new Set(['docker', 'ctr', 'crictl', 'nerdctl', 'podman', 'runc', 'containerd']);
const HOST_FS_TYPES = new Set(['cgroup', 'cgroup2', 'proc', 'sysfs', 'debugfs', 'securityfs', 'tracefs', 'bpf']);
const HOST_DEVICE = /^\/dev\/(sd[a-z]|vd[a-z]|xvd[a-z]|hd[a-z]|nvme\d|mmcblk\d|dm-\d|mapper\/|loop\d|root$)/;
const DOCKER_API_PATH = /\/(v\d+\.\d+\/)?(containers|images|exec|info|version|_ping|services|secrets)\b/;
const MODULE_LOADERS = new Set(['insmod', 'modprobe']);

const T1609 = { tactic: 'execution', technique: 'T1609' };

interface Verdict {
  why: string;
  key: string;
  socket?: boolean;
}

function mountVerdict(args: readonly string[]): Verdict | null {
  const typeAt = args.findIndex((a) => a === '-t' || a === '--types');
  const inline = args.find((a) => a.startsWith('-t') && a.length > 2)?.slice(2);
  const type = typeAt >= 0 ? args[typeAt + 1] : inline;
  const types = (type ?? '').split(',');
  const hostType = types.find((t) => HOST_FS_TYPES.has(t));
  if (hostType) return { why: `mounted a ${hostType} file system`, key: `mount:${hostType}` };
  const device = args.find((a) => HOST_DEVICE.test(a));
  if (device) return { why: `mounted the host device ${device}`, key: `mount:${device}` };
  return null;
}

export function escapeVerdict(p: Pick<ProcessInfo, 'exe' | 'argv'>): Verdict | null {
  const name = commandName(p);
  const args = p.argv.slice(1);
  const joined = p.argv.join(' ');
  if (name === 'nsenter') return { why: 'entered other namespaces with nsenter', key: 'nsenter' };
  if (name === 'unshare') return { why: 'created new namespaces with unshare', key: 'unshare' };
  if (MODULE_LOADERS.has(name)) return { why: `loaded a kernel module with ${name}`, key: `module:${name}` };
  if (name === 'mount') {
    const verdict = mountVerdict(args);
    if (verdict) return verdict;
  }
  const hostFile = HOST_FILES.exec(joined)?.[1];
  if (hostFile)
    return { why: `wrote or named ${hostFile.slice(1)}, a host-level kernel hook`, key: `file:${hostFile}` };
  if (RUNTIME_CLIENTS.has(name)) {
    return { why: `ran the container-runtime client ${name}`, key: `runtime:${name}`, socket: true };
  }
  const socket = RUNTIME_SOCKET.exec(joined)?.[0];
  // A runtime socket mounted under another name still answers the Docker API's paths.
  const dockerApi = name === 'curl' && args.includes('--unix-socket') && DOCKER_API_PATH.test(joined);
  if (socket || dockerApi) {
    return {
      why: `drove the container-runtime socket ${socket ?? 'through curl'}`,
      key: 'runtime-socket',
      socket: true,
    };
  }
  return null;
}

/** The first escape among the process and the commands of its `sh -c` script. */
function verdictOf(p: Pick<ProcessInfo, 'exe' | 'argv'>): Verdict | null {
  for (const command of commandsOf(p)) {
    const verdict = escapeVerdict(command);
    if (verdict) return verdict;
  }
  return null;
}

function onExec(container: ContainerRef, p: ProcessInfo, at: number): Finding[] {
  const verdict = verdictOf(p);
  if (!verdict) return [];
  return [
    {
      rule: 'container_escape',
      container,
      key: verdict.key,
      summary: `${who(container)} ${verdict.why}: an attempt to reach the host (${quoted(p.argv)})`,
      details: processDetails(p),
      ...(verdict.socket ? { mitre: T1609 } : {}),
      at,
    },
  ];
}

function onFile(container: ContainerRef, path: string, op: FileOp, at: number): Finding[] {
  const hostFile = HOST_FILES.exec(path)?.[1];
  if (!hostFile || op === 'delete') return [];
  return [
    {
      rule: 'container_escape',
      container,
      key: `file:${hostFile}`,
      summary: `${who(container)} wrote ${path}, a host-level kernel hook: an attempt to reach the host`,
      details: { file: { path, op } },
      at,
    },
  ];
}

export const escapeDetector: Detector<null> = {
  name: 'escape',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent): StepResult<null> {
    switch (event.kind) {
      case 'process.exec':
        return { state, findings: onExec(event.container, event.process, event.at) };
      case 'file.changed':
        return { state, findings: event.preexisting ? [] : onFile(event.container, event.path, event.op, event.at) };
      case 'exec.started': {
        // Docker's own record of what was exec'd: known even when the process is gone in a moment.
        if (event.healthcheck) return { state, findings: [] };
        const p = {
          pid: 0,
          ppid: 0,
          uid: -1,
          exe: event.argv[0] ?? '',
          argv: event.argv,
          parentExe: null,
          execId: event.execId,
        };
        return { state, findings: onExec(event.container, p, event.at) };
      }
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.removed':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'process.exit':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
