// The simple commands of a shell's `-c` script, as argv lists: `sh -c 'nsenter -t 1 -m sh; true'`
// → [nsenter -t 1 -m sh], [true]. A command that fails at once (nsenter without the privilege)
// is gone before /proc can be read, but the script that ran it names it: Docker's exec argv and a
// shell's cmdline are known however short the child lived. Quoting is not parsed; a word split
// inside quotes can only add commands, and rules judge each by its program name and arguments.
import type { ProcessInfo } from '../collector/events.ts';
import { isShell } from './process-classify.ts';

const SEPARATORS = /;|&&|\|\||\||&|\n|\$\(|`|\(|\)/;
/** Words that run the next word as the command. */
const PREFIXES = new Set(['exec', 'sudo', 'nohup', 'env', 'timeout', 'nice', 'command', 'busybox']);

export function scriptOf(argv: readonly string[]): string | null {
  const c = argv.indexOf('-c');
  return c > 0 && c + 1 < argv.length ? (argv[c + 1] ?? null) : null;
}

export function commandsOfScript(script: string): string[][] {
  const commands: string[][] = [];
  for (const part of script.split(SEPARATORS)) {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '' && !/^\w+=/.test(w));
    while (words.length > 1 && PREFIXES.has(words[0] ?? '')) {
      words.shift();
      // `timeout 5 cmd`: a duration; `exec -a name cmd`: the argv[0] option.
      if (/^\d/.test(words[0] ?? '')) words.shift();
      if (words[0] === '-a') words.splice(0, 2);
    }
    if (words.length > 0) commands.push(words.map((w) => w.replace(/^['"]|['"]$/g, '')));
  }
  return commands;
}

/** The process itself, plus each command of its script when it is a shell run with -c. */
export function commandsOf(p: Pick<ProcessInfo, 'exe' | 'argv'>): Pick<ProcessInfo, 'exe' | 'argv'>[] {
  const own = [{ exe: p.exe, argv: p.argv }];
  const script = isShell(p) ? scriptOf(p.argv) : null;
  if (script === null) return own;
  return [...own, ...commandsOfScript(script).map((argv) => ({ exe: argv[0] ?? '', argv }))];
}
