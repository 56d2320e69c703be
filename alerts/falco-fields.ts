// An alert's details as Falco output fields. Falco's names and meanings (falco.org, "Supported
// Fields for Conditions and Outputs") for what Falco has a name for; `shipwatch.<detail>.*` for
// the rest. Falco sees syscalls and shipwatch sees flows, execs and overlay writes, so `evt.type`
// names the syscall a Falco rule would match for the same behaviour.
import type { Alert } from './alert.ts';
import type { FileOp } from '../collector/events.ts';
import type { FileDetails, FlowDetails, ProcessDetails } from '../findings/index.ts';

export type FalcoFields = Record<string, string | number | boolean | null>;

// Falco's file rules match writes as opens for writing; shipwatch's inotify watch sees the result.
const FILE_SYSCALL: Record<FileOp, string> = {
  create: 'openat',
  write: 'openat',
  delete: 'unlinkat',
  rename: 'renameat',
  chmod: 'fchmodat',
};

/** Flattens nested values into dotted names (`shipwatch.flow.network`); arrays as JSON text. */
function flatten(value: unknown, prefix: string, into: FalcoFields): void {
  if (value === null || value === undefined || typeof value !== 'object') {
    into[prefix] = value === undefined ? null : (value as string | number | boolean | null);
    return;
  }
  if (Array.isArray(value)) {
    into[prefix] = JSON.stringify(value);
    return;
  }
  for (const [key, inner] of Object.entries(value)) flatten(inner, `${prefix}.${key}`, into);
}

function endpoint(ip: string, port: number | null): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === null ? host : `${host}:${port}`;
}

// A flow's source opened it: Falco's client (fd.cip, fd.cport); its destination is the server.
function flowFields(flow: FlowDetails): FalcoFields {
  const { protocol, src, dst, ...rest } = flow;
  const fields: FalcoFields = {
    // Every flow rule today is about a flow a container opened (an inbound rule would say accept).
    'evt.type': 'connect',
    'fd.type': dst.ip.includes(':') ? 'ipv6' : 'ipv4',
    'fd.l4proto': protocol.toLowerCase(),
    'fd.cip': src.ip,
    'fd.cport': src.port,
    'fd.sip': dst.ip,
    'fd.sport': dst.port,
    'fd.sip.name': dst.name,
    // Falco's fd.name of a socket is its connection tuple.
    'fd.name': `${endpoint(src.ip, src.port)}->${endpoint(dst.ip, dst.port)}`,
  };
  flatten(rest, 'shipwatch.flow', fields);
  return fields;
}

function processFields(process: ProcessDetails): FalcoFields {
  const { pid, ppid, exe, cmdline, uid, parentExe, ...rest } = process;
  const name = exe.slice(exe.lastIndexOf('/') + 1);
  // shipwatch's cmdline is argv joined; Falco's proc.cmdline is proc.name followed by the arguments.
  const args = cmdline.split(' ').slice(1).join(' ');
  const fields: FalcoFields = {
    'evt.type': 'execve',
    'proc.exepath': exe,
    'proc.name': name,
    'proc.args': args,
    'proc.cmdline': args ? `${name} ${args}` : name,
    'proc.pid': pid,
    'proc.ppid': ppid,
    'proc.pexepath': parentExe ?? null,
    'user.uid': uid,
  };
  flatten(rest, 'shipwatch.process', fields);
  return fields;
}

function fileFields(file: FileDetails): FalcoFields {
  const slash = file.path.lastIndexOf('/');
  return {
    'evt.type': FILE_SYSCALL[file.op],
    'fd.type': 'file',
    'fd.name': file.path,
    'fd.directory': slash > 0 ? file.path.slice(0, slash) : '/',
    'fd.filename': file.path.slice(slash + 1),
    'shipwatch.file.op': file.op,
  };
}

export function detailFields(alert: Alert): FalcoFields {
  // Falco's evt.time in JSON output: the event's epoch time in nanoseconds.
  const fields: FalcoFields = { 'evt.time': Date.parse(alert.time) * 1e6 };
  const details = alert.details;
  if ('flow' in details) return { ...fields, ...flowFields(details.flow) };
  if ('process' in details) return { ...fields, ...processFields(details.process) };
  if ('file' in details) return { ...fields, ...fileFields(details.file) };
  for (const [key, inner] of Object.entries(details)) flatten(inner, `shipwatch.${key}`, fields);
  return fields;
}
