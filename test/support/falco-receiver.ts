// What falcosidekick checks of an incoming Falco event (types.FalcoPayload and its Check():
// a known priority, a rule, a time, output fields), plus what Falco's fields mean (falco.org,
// "Supported Fields"), as a check for a VerifyingReceiver: a field shipwatch fills must hold
// what a Falco rule or a falcosidekick template reading it would expect.
import { isIP } from 'node:net';
import { FALCO_PRIORITIES } from '../../alerts/falco.ts';

type Fields = Record<string, unknown>;

const isPort = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
const isInt = (value: unknown) => Number.isInteger(value);

function fieldProblems(fields: Fields, time: string): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const has = (name: string) => name in fields;
  expect(
    typeof fields['container.id'] === 'string' && /^([0-9a-f]{12}|host)$/.test(fields['container.id']),
    'container.id: the 12-character short id or "host"',
  );
  if (has('container.image.repository')) {
    const repository = String(fields['container.image.repository']);
    expect(
      !/:[^/]*$/.test(repository) && !repository.includes('@'),
      'container.image.repository: without tag or digest',
    );
  }
  if (has('container.image.tag')) expect(!String(fields['container.image.tag']).includes(':'), 'container.image.tag');
  expect(Number(fields['evt.time']) === Date.parse(time) * 1e6, 'evt.time: the event time in epoch nanoseconds');
  if (has('fd.sip') || has('fd.cip')) {
    expect(isIP(String(fields['fd.sip'])) !== 0 && isIP(String(fields['fd.cip'])) !== 0, 'fd.sip/fd.cip: IP addresses');
    expect(isPort(fields['fd.sport']) && isPort(fields['fd.cport']), 'fd.sport/fd.cport: ports');
    expect(['tcp', 'udp', 'icmp', 'raw'].includes(String(fields['fd.l4proto'])), 'fd.l4proto: tcp, udp, icmp or raw');
    // A socket's fd.name is its tuple, client first: client → server.
    const host = (ip: unknown) => (String(ip).includes(':') ? `[${String(ip)}]` : String(ip));
    expect(
      fields['fd.name'] ===
        `${host(fields['fd.cip'])}:${String(fields['fd.cport'])}->${host(fields['fd.sip'])}:${String(fields['fd.sport'])}`,
      'fd.name: the tuple cip:cport->sip:sport',
    );
  }
  if (has('proc.exepath')) {
    const exe = String(fields['proc.exepath']);
    const name = exe.slice(exe.lastIndexOf('/') + 1);
    expect(exe.startsWith('/'), 'proc.exepath: a full path');
    expect(fields['proc.name'] === name, 'proc.name: the executable name');
    expect(String(fields['proc.cmdline']).split(' ')[0] === name, 'proc.cmdline: proc.name then the arguments');
    expect(
      isInt(fields['proc.pid']) && isInt(fields['proc.ppid']) && isInt(fields['user.uid']),
      'pid, ppid, uid: integers',
    );
  }
  if (fields['fd.type'] === 'file')
    expect(String(fields['fd.name']).startsWith('/'), 'fd.name of a file: its full path');
  return problems;
}

export function checkFalcoEvent(_headers: unknown, body: string): string[] {
  const event = JSON.parse(body) as Record<string, unknown>;
  const problems: string[] = [];
  if (!FALCO_PRIORITIES.some((p) => p.toLowerCase() === String(event.priority).toLowerCase())) {
    problems.push(`priority: not one of Falco's (${String(event.priority)})`);
  }
  if (typeof event.rule !== 'string' || !event.rule) problems.push('rule: missing');
  // Go's time.Time decodes RFC 3339.
  if (typeof event.time !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(event.time)) {
    problems.push('time: not RFC 3339');
  }
  const fields = event.output_fields as Fields | undefined;
  if (!fields || typeof fields !== 'object' || !Object.keys(fields).length) problems.push('output_fields: empty');
  if (typeof event.uuid !== 'string' || !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(event.uuid)) {
    problems.push('uuid: not a UUID');
  }
  for (const key of ['output', 'source', 'hostname']) {
    if (typeof event[key] !== 'string' || !event[key]) problems.push(`${key}: missing`);
  }
  if (!Array.isArray(event.tags)) problems.push('tags: not a list');
  if (fields && typeof event.time === 'string') problems.push(...fieldProblems(fields, event.time));
  return problems;
}
