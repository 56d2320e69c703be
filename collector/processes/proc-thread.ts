// Starts the proc connector's thread (proc-worker.ts) and hands its messages on in order. Shipped
// code is compiled JavaScript and runs the worker's .js; the sources (tests) run its .ts through
// tsx's loader, registered inside the new thread before the worker module loads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromProcThread, ToProcThread } from './proc-messages.ts';

export interface ProcThread {
  /** Resolves once the socket is subscribed; rejects with the reason it could not be opened. */
  ready: Promise<void>;
  post(message: ToProcThread): void;
  close(): Promise<void>;
}

/** tsx's ESM loader API: its package's `./esm/api` import entry (require.resolve would give the CJS one). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  return path.join(path.dirname(manifest), exports['./esm/api']?.import?.default ?? 'dist/esm/api/index.mjs');
}

function startWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(fromSources ? './proc-worker.ts' : './proc-worker.js', import.meta.url);
  if (!fromSources) return new Worker(url);
  const tsx = pathToFileURL(tsxEsmApi()).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}

export function startProcThread(onMessage: (message: FromProcThread) => void): ProcThread {
  const worker = startWorker();
  // The agent's lifetime is its sockets' and timers'; this thread alone must not keep it alive.
  worker.unref();
  let settled = false;
  let closing = false;
  let settle: { resolve: () => void; reject: (error: Error) => void } | null = null;
  const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that stops before the thread answered must not leave an unhandled rejection behind.
  ready.catch(() => undefined);
  /** Before `ready`: the connector could not be opened; after: the thread died under us. */
  const fail = (reason: string): void => {
    if (closing) return;
    if (!settled) settle?.reject(new Error(reason));
    else onMessage({ t: 'failed', reason });
    settled = true;
    closing = true;
  };
  worker.on('message', (messages: FromProcThread[]) => {
    for (const message of messages) {
      if (message.t === 'ready') {
        settled = true;
        settle?.resolve();
      } else if (message.t === 'failed') fail(message.reason);
      else onMessage(message);
    }
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', () => fail('the proc connector thread exited'));
  return {
    ready,
    post: (message) => worker.postMessage(message),
    async close() {
      closing = true;
      worker.postMessage({ t: 'close' } satisfies ToProcThread);
      // The thread closes its socket and port and ends; terminate() covers one that hangs.
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([exited, timeout]);
      await worker.terminate();
    },
  };
}
