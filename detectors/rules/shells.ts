// reverse_shell (T1059): a shell or a language interpreter whose standard input or output is a
// network connection — `nc -e /bin/sh`, `socat exec:sh`, `bash -i >& /dev/tcp/…`, python's
// `os.dup2(s.fileno(), 0)`: however it was set up, the kernel's fd table at exec time says it.
// The collector reads /proc/<pid>/fd and matches the socket to its TCP/UDP connection; a pipe
// relayed through nc (`mkfifo f; sh <f | nc …`) leaves the shell on pipes and is not seen here
// (suspicious_process still names the nc).
import type { ContainerRef, ProcessInfo, ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, StepResult } from '../context.ts';
import { processDetails, quoted, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { commandName, isShell } from '../process-classify.ts';

const INTERPRETERS =
  /^(python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node|nodejs|lua[0-9.]*|tclsh[0-9.]*|expect|awk|gawk|mawk|busybox)$/;

export function isInterpreter(p: Pick<ProcessInfo, 'exe' | 'argv'>): boolean {
  return isShell(p) || INTERPRETERS.test(commandName(p));
}

function address(a: { ip: string; port: number }): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

function judge(container: ContainerRef, p: ProcessInfo, at: number): Finding[] {
  const socket = p.stdioSocket;
  if (!socket || !isInterpreter(p)) return [];
  const fds = socket.fds.map((fd) => ['stdin', 'stdout', 'stderr'][fd] ?? `fd ${fd}`).join(', ');
  const peer = socket.remote ? address(socket.remote) : null;
  const how = peer
    ? `whose ${fds} is a ${socket.protocol} connection to ${peer}`
    : `whose ${fds} is a ${socket.protocol} socket on ${address(socket.local)}`;
  const details = processDetails(p);
  details.process.socket = { local: address(socket.local), remote: peer };
  return [
    {
      rule: 'reverse_shell',
      container,
      key: `${commandName(p)}:${peer ?? address(socket.local)}`,
      summary: `${who(container)} started ${commandName(p)} ${how}: a remote shell (${quoted(p.argv)})`,
      details,
      at,
    },
  ];
}

export const shellDetector: Detector<null> = {
  name: 'shells',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent): StepResult<null> {
    switch (event.kind) {
      case 'process.exec':
        return { state, findings: judge(event.container, event.process, event.at) };
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
      case 'exec.started':
      case 'process.exit':
      case 'file.changed':
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
