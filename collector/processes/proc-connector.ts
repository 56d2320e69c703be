// The Linux proc connector as a socket: netlink NETLINK_CONNECTOR subscribed to the CN_IDX_PROC
// group, decoded into fork, exec and exit calls, with the kernel's sequence gaps counted as
// losses. Runs inside the proc thread (proc-worker.ts); what the events mean for containers is
// process-source.ts's.
import { RawNetlinkSocket } from 'netlink';
import { CN_IDX_PROC, NETLINK_CONNECTOR, exitCodeOf, listenRequest, parseProcRecords } from './proc-event.ts';
import { SequenceGaps } from './sequence-gaps.ts';

/** 4 MiB of socket buffer (each event costs a whole skb, far more than its ~90 bytes): a fork storm's burst. */
const RECV_BUFFER_BYTES = 4 << 20;

export interface ProcConnectorHandlers {
  /** timestampNs: the kernel's CLOCK_MONOTONIC of the exec (process.hrtime.bigint()'s clock). */
  exec(tgid: number, timestampNs: bigint): void;
  fork(parentTgid: number, childPid: number, childTgid: number): void;
  /** Exit of a whole process (its thread-group leader); threads' exits are not reported. */
  exit(tgid: number, exitCode: number | null): void;
  /** Events the kernel sent that never reached us, counted from its sequence numbers. */
  lost(count: number): void;
  /** ENOBUFS: the kernel dropped events because we fell behind. The socket keeps going. */
  error(code: string | undefined): void;
}

export interface ProcConnector {
  close(): void;
}

/** Opens and subscribes; throws where the connector is unavailable (no CAP_NET_ADMIN, no kernel support). */
export function openProcConnector(handlers: ProcConnectorHandlers): ProcConnector {
  const socket = new RawNetlinkSocket(NETLINK_CONNECTOR, {
    localGroups: CN_IDX_PROC,
    recvBufferSize: RECV_BUFFER_BYTES,
    sendBufferSize: 65_536,
  });
  const gaps = new SequenceGaps();
  socket.on('message', (datagram) => {
    for (const { cpu, seq, event } of parseProcRecords(datagram)) {
      const lost = gaps.observe(cpu, seq);
      if (lost > 0) handlers.lost(lost);
      if (!event) continue;
      if (event.what === 'exec') handlers.exec(event.tgid, event.timestampNs);
      else if (event.what === 'fork') handlers.fork(event.parentTgid, event.childPid, event.childTgid);
      else if (event.what === 'exit' && event.pid === event.tgid) handlers.exit(event.tgid, exitCodeOf(event.exitCode));
    }
  });
  socket.on('error', (error) => handlers.error(error.code));
  socket.send(listenRequest(socket.address().port));
  return socket;
}
