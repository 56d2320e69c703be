// Start-up of the CLI as a user waits for it, each command beside bare `node -e 0` (the floor no
// Node program starts under) in the same round, in turn.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ipv4Frame, pcapFile } from '../../test/support/packet-builder.ts';
import { med, pairedRatio, type Figure } from './figure.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function seconds(args: string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore', env });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return (performance.now() - start) / 1000;
}

export function startup(opts: { rounds: number }): Figure[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-start-'));
  try {
    const capture = path.join(dir, 'ten.pcap');
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '203.0.113.10', protocol: 'tcp', flags: 'S' });
    writeFileSync(capture, pcapFile(Array.from({ length: 10 }, (_, i) => ({ at: 1.7e12 + i, data: frame }))));
    const bin = path.join(ROOT, 'bin/shipwatch.js');
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const commands: { id: string; label: string; args: () => string[]; goal: string; limit: number }[] = [
      { id: 'help', label: 'shipwatch --help', args: () => [bin, '--help'], goal: '< 0.3 s', limit: 0.3 },
      {
        id: 'alerts',
        label: 'shipwatch alerts --limit 1',
        args: () => [bin, 'alerts', '--limit', '1', '--state-dir', dir],
        goal: '< 0.3 s',
        limit: 0.3,
      },
      {
        id: 'pcap',
        label: 'shipwatch run --pcap (10 packets, no daemon)',
        // A fresh state directory each time: the replay takes the state lock and learns.
        args: () => [bin, 'run', '--pcap', capture, '--state-dir', mkdtempSync(path.join(dir, 'state-'))],
        goal: '< 0.5 s',
        limit: 0.5,
      },
    ];
    const floor: number[] = [];
    const samples = new Map(commands.map((c) => [c.id, [] as number[]]));
    for (let round = 0; round < opts.rounds; round++) {
      floor.push(seconds(['-e', '0'], env));
      for (const command of commands) samples.get(command.id)!.push(seconds(command.args(), env));
    }
    return commands.map((command) => {
      const values = samples.get(command.id)!;
      return {
        id: `startup.${command.id}`,
        benchmark: `start-up: ${command.label}`,
        metric: 'seconds wall',
        shipwatch: med(values),
        peer: { name: 'node -e 0', value: med(floor) },
        ratio: pairedRatio(values, floor),
        goal: command.goal,
        met: med(values) < command.limit,
        rounds: opts.rounds,
        command: 'npm run bench -- --only startup',
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
