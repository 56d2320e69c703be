// What a process is, judged from its executable and argv alone. Busybox-style multi-call binaries
// matter here: in a busybox image /bin/sh, nc and wget all resolve to /bin/busybox, and the applet
// is chosen by argv[0] (ENVIRONMENT.md), so a program's identity is `exe (applet)` for those.
import type { ProcessInfo } from '../collector/events.ts';

const MULTI_CALL = new Set(['busybox', 'toybox']);

export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'hush']);

const NETWORK_TOOLS = new Set([
  'nc',
  'ncat',
  'netcat',
  'nc.openbsd',
  'nc.traditional',
  'socat',
  'nmap',
  'masscan',
  'zmap',
  'telnet',
  'tcpdump',
  'tshark',
  'dumpcap',
  'ngrep',
  'hping3',
  'ftp',
  'tftp',
]);
const PACKAGE_MANAGERS = new Set([
  'apt',
  'apt-get',
  'aptitude',
  'dpkg',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'rpm',
  'zypper',
  'pacman',
]);
/** Language package managers only count when installing: `npm test` is not an intrusion. */
const INSTALLERS = new Set(['pip', 'pip3', 'npm', 'yarn', 'pnpm', 'gem', 'cargo', 'go']);
const SSH = new Set(['sshd', 'ssh', 'scp', 'sftp', 'dropbear', 'dbclient']);
const MINERS = new Set([
  'xmrig',
  'xmr-stak',
  'minerd',
  'cpuminer',
  'cgminer',
  'bfgminer',
  'ethminer',
  'nbminer',
  't-rex',
  'lolminer',
  'kdevtmpfsi',
  'kinsing',
]);
/** Parents that mean "started by the container's init": the entrypoint itself. */
const INIT_LIKE = new Set([
  'docker-init',
  'tini',
  'dumb-init',
  'runc',
  'containerd-shim',
  'containerd-shim-runc-v2',
  's6-svscan',
  'supervisord',
]);

export function basename(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? path : path.slice(cut + 1);
}

/** The applet or program name a human would call it by. */
export function commandName(process: Pick<ProcessInfo, 'exe' | 'argv' | 'invokedAs'>): string {
  const exeName = basename(process.exe);
  const argv0 = process.argv[0] ?? process.invokedAs;
  return MULTI_CALL.has(exeName) && argv0 ? basename(argv0).replace(/^-/, '') : exeName;
}

/** Identity of a program in a baseline: the exe path, or `exe (applet)` for multi-call binaries. */
export function programName(process: Pick<ProcessInfo, 'exe' | 'argv' | 'invokedAs'>): string {
  const exeName = basename(process.exe);
  return MULTI_CALL.has(exeName) ? `${process.exe} (${commandName(process)})` : process.exe;
}

export function isShell(process: Pick<ProcessInfo, 'exe' | 'argv' | 'invokedAs'>): boolean {
  return SHELLS.has(commandName(process));
}

/** Parent is the container's init or absent (the entrypoint), or a shell the entrypoint runs. */
export function isInitChild(process: Pick<ProcessInfo, 'parentExe'>): boolean {
  if (process.parentExe === null) return true;
  const parent = basename(process.parentExe);
  // A multi-call parent (busybox) is most often the entrypoint's own `sh -c` loop.
  return INIT_LIKE.has(parent) || parent.startsWith('containerd-shim') || SHELLS.has(parent) || MULTI_CALL.has(parent);
}

export type SuspiciousKind = 'reverse_shell' | 'network_tool' | 'package_manager' | 'ssh' | 'miner';

export interface Suspicion {
  kind: SuspiciousKind;
  why: string;
}

/** Always-on classes of suspicious programs; shells are judged separately (they may be expected). */
export function classify(process: Pick<ProcessInfo, 'exe' | 'argv' | 'invokedAs'>): Suspicion | null {
  const name = commandName(process).toLowerCase();
  const args = process.argv.slice(1);
  const joined = process.argv.join(' ');
  if (MINERS.has(name) || /stratum\+(tcp|ssl|tls):\/\//i.test(joined)) {
    return { kind: 'miner', why: 'a cryptocurrency miner' };
  }
  if (
    ['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd'].includes(name) &&
    args.some((a) => /^-[a-z]*[ec]/i.test(a) && !a.startsWith('--'))
  ) {
    return { kind: 'reverse_shell', why: 'netcat with -e/-c, which hands a shell to the network (reverse shell)' };
  }
  if (name === 'socat' && /exec:|system:/i.test(joined)) {
    return { kind: 'reverse_shell', why: 'socat running a program for a network peer (reverse shell)' };
  }
  if (NETWORK_TOOLS.has(name)) return { kind: 'network_tool', why: `the network tool ${name}` };
  if (PACKAGE_MANAGERS.has(name)) return { kind: 'package_manager', why: `the package manager ${name}` };
  if (INSTALLERS.has(name) && args.some((a) => ['install', 'add', 'i', 'get'].includes(a))) {
    return { kind: 'package_manager', why: `${name} installing packages` };
  }
  if (SSH.has(name))
    return { kind: 'ssh', why: name === 'sshd' || name === 'dropbear' ? 'an SSH server' : 'an SSH client' };
  return null;
}

export function cmdline(argv: readonly string[], max = 256): string {
  const text = argv.join(' ');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
