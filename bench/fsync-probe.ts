// A preload for looking at a bench's main thread: how long it sat in fsyncSync, and how long the
// event loop was held up, printed at exit. Not part of the suite; used to find why the alert storm
// lost packets (bench/README.md, the storm's goal):
//
//   node --import tsx --import ./bench/fsync-probe.ts bench/alert-storm.ts 200000 1 10 1000
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const original = fs.fsyncSync;
let calls = 0;
let totalMs = 0;
let maxMs = 0;
fs.fsyncSync = (fd: number): void => {
  const start = performance.now();
  try {
    original(fd);
  } finally {
    const ms = performance.now() - start;
    calls++;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
  }
};
// Named imports of node:fs (`import { fsyncSync } from 'node:fs'`) see the wrapper from here on.
syncBuiltinESMExports();

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const started = Date.now();
process.on('exit', () => {
  process.stderr.write(
    `fsync-probe: fsyncSync ${calls}×, ${totalMs.toFixed(0)} ms in all, ${maxMs.toFixed(1)} ms at most, over ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s; event loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ` +
      `max ${(delay.max / 1e6).toFixed(1)} ms\n`,
  );
});
