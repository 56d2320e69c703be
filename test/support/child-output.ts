// Collects a child process's output the way the agent writes it: JSON log lines on stdout
// (anything else on stdout, and all of stderr, kept as text for failure messages).
import type { ChildProcess } from 'node:child_process';

export function collectOutput(child: ChildProcess): { logs: Record<string, unknown>[]; stderr: string[] } {
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        stderr.push(line);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return { logs, stderr };
}
