// Decoding of the Linux proc connector's messages (include/uapi/linux/cn_proc.h and connector.h).
// Hand-written on purpose: the `netlink` package frames netlink messages (nlmsghdr) for us, but
// no installed or well-kept library parses `struct cn_msg` / `struct proc_event`, and the layout is
// a small, stable kernel ABI (little-endian on every platform Docker runs on).
import { formatMessage, parseMessages } from 'netlink';

/** Netlink protocol of the connector, its proc multicast group and the listen opcode. */
export const NETLINK_CONNECTOR = 11;
export const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const NLMSG_DONE = 3;

/** sizeof(struct cn_msg): cb_id {idx, val}, seq, ack, len (u16), flags (u16). */
const CN_MSG_LENGTH = 20;
/** what (u32), cpu (u32), timestamp_ns (u64) precede the event_data union. */
const PROC_EVENT_HEADER = 16;

const PROC_EVENT_NONE = 0x0;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_EXIT = 0x80000000;

export type ProcEvent =
  | { what: 'ack'; err: number }
  | { what: 'fork'; parentPid: number; parentTgid: number; childPid: number; childTgid: number }
  /** timestampNs: CLOCK_MONOTONIC of the exec (process.hrtime.bigint() reads the same clock). */
  | { what: 'exec'; pid: number; tgid: number; timestampNs: bigint }
  | { what: 'exit'; pid: number; tgid: number; exitCode: number; exitSignal: number };

/** The netlink message that subscribes this socket to proc events. */
export function listenRequest(port: number): Uint8Array[] {
  const cn = Buffer.alloc(CN_MSG_LENGTH + 4);
  cn.writeUInt32LE(CN_IDX_PROC, 0);
  cn.writeUInt32LE(CN_VAL_PROC, 4);
  cn.writeUInt16LE(4, 16);
  cn.writeUInt32LE(PROC_CN_MCAST_LISTEN, CN_MSG_LENGTH);
  return formatMessage({ type: NLMSG_DONE, flags: 0, seq: 0, port, data: cn });
}

/** Decodes one proc_event (the payload after cn_msg); null for kinds we do not use or short data. */
export function parseProcEvent(data: Buffer): ProcEvent | null {
  if (data.length < PROC_EVENT_HEADER + 4) return null;
  const what = data.readUInt32LE(0);
  const at = PROC_EVENT_HEADER;
  switch (what) {
    case PROC_EVENT_NONE:
      return { what: 'ack', err: data.readUInt32LE(at) };
    case PROC_EVENT_FORK:
      if (data.length < at + 16) return null;
      return {
        what: 'fork',
        parentPid: data.readUInt32LE(at),
        parentTgid: data.readUInt32LE(at + 4),
        childPid: data.readUInt32LE(at + 8),
        childTgid: data.readUInt32LE(at + 12),
      };
    case PROC_EVENT_EXEC:
      if (data.length < at + 8) return null;
      return {
        what: 'exec',
        pid: data.readUInt32LE(at),
        tgid: data.readUInt32LE(at + 4),
        timestampNs: data.readBigUInt64LE(8),
      };
    case PROC_EVENT_EXIT:
      if (data.length < at + 16) return null;
      return {
        what: 'exit',
        pid: data.readUInt32LE(at),
        tgid: data.readUInt32LE(at + 4),
        exitCode: data.readUInt32LE(at + 8),
        exitSignal: data.readUInt32LE(at + 12),
      };
    default:
      return null;
  }
}

/** One connector message: the kernel's per-CPU sequence number, and its event when we use its kind. */
export interface ProcRecord {
  cpu: number;
  /** cn_msg.seq: counts every proc event the kernel sent from `cpu`, so a gap is events lost. */
  seq: number;
  event: ProcEvent | null;
}

/** Every proc connector message in one datagram (it may batch netlink messages), kinds we skip included. */
export function parseProcRecords(datagram: Buffer): ProcRecord[] {
  const records: ProcRecord[] = [];
  for (const message of parseMessages(datagram)) {
    const data = message.data;
    if (data.length < CN_MSG_LENGTH + PROC_EVENT_HEADER) continue;
    if (data.readUInt32LE(0) !== CN_IDX_PROC || data.readUInt32LE(4) !== CN_VAL_PROC) continue;
    const length = data.readUInt16LE(16);
    const payload = data.subarray(CN_MSG_LENGTH, CN_MSG_LENGTH + length);
    const event = parseProcEvent(payload);
    // The subscription's own acknowledgement is no kernel event and carries no sequence.
    if (event?.what === 'ack') continue;
    records.push({ cpu: payload.readUInt32LE(4), seq: data.readUInt32LE(8), event });
  }
  return records;
}

/** Every proc event in one datagram from the connector socket. */
export function parseProcMessages(datagram: Buffer): ProcEvent[] {
  const events: ProcEvent[] = [];
  for (const record of parseProcRecords(datagram)) if (record.event) events.push(record.event);
  return events;
}

/** A wait(2) status as the kernel reports it at exit → exit code, or null when killed by a signal. */
export function exitCodeOf(status: number): number | null {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : null;
}
