// The proc connector's own thread. It does nothing but drain the netlink socket and read /proc for
// each exec at once, so what it reads does not wait behind the main thread's packets, detectors
// and HTTP: on the main thread a busy loop let `cat`, `cp` and most processes living a few ms exit
// before /proc was read (their exe and argv lost), and let the socket queue overflow. Messages go
// to the main thread in one batch per turn of this thread's loop.
import { parentPort } from 'node:worker_threads';
import { isInUpperLayer } from '../files/index.ts';
import type { ExecReading, FromProcThread, ToProcThread } from './proc-messages.ts';
import { openProcConnector, type ProcConnector } from './proc-connector.ts';
import { readContainerId, readExe, snapshotProcess } from './proc-reader.ts';

/** Fork parents remembered for processes gone before /proc could say their PPid; a busy host reuses pids first. */
const MAX_FORKS = 65_536;

const port = parentPort;
if (!port) throw new Error('proc-worker.ts runs as a worker thread only');

const upperDirs = new Map<string, string>();
const forkParent = new Map<number, number>();
let batch: FromProcThread[] = [];
let connector: ProcConnector | null = null;

function post(message: FromProcThread): void {
  if (batch.length === 0) setImmediate(flush);
  batch.push(message);
}

function flush(): void {
  const out = batch;
  batch = [];
  if (out.length) port?.postMessage(out);
}

function read(tgid: number, timestampNs: bigint): ExecReading {
  const snap = snapshotProcess(tgid);
  const ppid = snap.ppid ?? forkParent.get(tgid) ?? null;
  const parent = ppid === null ? null : { pid: ppid, containerId: readContainerId(ppid), exe: readExe(ppid) };
  const containerId = snap.containerId ?? parent?.containerId ?? null;
  const upperDir = containerId ? upperDirs.get(containerId) : undefined;
  // Gone already: an absolute argv[0] names the file that was executed.
  const exe = snap.exe ?? (snap.argv[0]?.startsWith('/') ? snap.argv[0] : null);
  const upperLayer = upperDir === undefined || exe === null ? null : isInUpperLayer(upperDir, exe);
  return { tgid, timestampNs, snap, parent, upperLayer };
}

port.on('message', (message: ToProcThread) => {
  if (message.t === 'upperDir') {
    if (message.upperDir) upperDirs.set(message.containerId, message.upperDir);
    else upperDirs.delete(message.containerId);
  } else {
    connector?.close();
    connector = null;
    flush();
    port.close();
  }
});

try {
  connector = openProcConnector({
    exec: (tgid, timestampNs) => post({ t: 'exec', reading: read(tgid, timestampNs) }),
    fork: (parentTgid, childPid, childTgid) => {
      if (childPid === childTgid) {
        forkParent.set(childTgid, parentTgid);
        if (forkParent.size > MAX_FORKS) forkParent.delete(forkParent.keys().next().value as number);
      }
      post({ t: 'fork', parentTgid, childPid, childTgid });
    },
    exit: (tgid, exitCode) => {
      forkParent.delete(tgid);
      post({ t: 'exit', tgid, exitCode });
    },
    lost: (count) => post({ t: 'lost', count }),
    error: (code) => post({ t: 'error', code }),
  });
  post({ t: 'ready' });
} catch (error) {
  post({ t: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
