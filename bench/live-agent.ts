// The agent's side of the live-capture bench, in a process of its own: the capture child, the
// decoder and the flow table on one bridge, as the agent runs them, and nothing else. The bench
// (live-capture.ts) reads this process's CPU and its capture child's from /proc, so what it
// does itself — spawning tcpreplay (a fork of a large process: page-table copies and
// copy-on-write faults), reading its output, waiting for the drain — is not counted as the agent's.
//
//   node --import tsx bench/live-agent.ts BRIDGE      (spawned by live-capture.ts, with an IPC channel)
//
// Messages from the bench: 'stats' → { received, lags, dropped } (lags since the last 'stats',
// packets the capture missed since the last one: its kernel ring full, or shed from the child's
// queue); 'stop' → detaches and exits. Sends { up, capturePid } first.
import { BenchCapture } from './bench-capture.ts';

export interface AgentStats {
  received: number;
  /** Kernel timestamp → handled, ms, for every 64th packet since the last stats. */
  lags: number[];
  dropped: number;
}

const bridge = process.argv[2];
if (!bridge || !process.send) throw new Error('usage: spawned by bench/live-capture.ts with an IPC channel, BRIDGE');
const send = process.send.bind(process);
const agent = new BenchCapture(bridge);
const { capture } = agent;
void agent.up.then(() => send({ up: true, capturePid: capture.pid }));
process.on('message', (message) => {
  if (message === 'stats') {
    const stats: AgentStats = { received: agent.received, lags: agent.lags, dropped: capture.newlyDropped() };
    agent.lags = [];
    send(stats);
  } else if (message === 'stop') {
    void capture.detach().then(() => process.exit(0));
  }
});
