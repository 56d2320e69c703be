// The floor plan, checked on every run: lint holds the arrows between parts (eslint.config.js);
// this holds what lint cannot see file by file — size (past ~300 lines a second concept is hiding
// in a file), two files that import each other (neither can be understood, or moved, alone), and
// the folder names the lint patterns rely on.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PARTS = ['core', 'findings', 'collector', 'detectors', 'alerts', 'response', 'fleet', 'agent'];
const MAX_LINES = 300;

function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(ROOT, dir));
  } catch {
    return []; // a part not built yet (fleet/)
  }
  return names.flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return walk(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const FILES = PARTS.flatMap(walk);
const source = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The project files one file imports (static, re-exports and dynamic), repo-relative. */
function importsOf(file: string): string[] {
  // The compiler's own pre-scan: it sees multi-line, type-only, export-from and import() alike.
  const { importedFiles } = ts.preProcessFile(source(file), true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
}

describe('the layout', () => {
  it('reads every part', () => {
    expect(FILES.length).toBeGreaterThan(100);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const offenders = FILES.map((file) => ({ file, lines: source(file).trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(offenders, `over ${MAX_LINES} lines:\n${offenders.join('\n')}`).toEqual([]);
  });

  it('has no two files that import each other', () => {
    const graph = new Map(FILES.map((file) => [file, new Set(importsOf(file))]));
    const offenders: string[] = [];
    for (const [a, targets] of graph) {
      for (const b of targets) {
        if (a < b && graph.get(b)?.has(a)) offenders.push(`${a} <-> ${b}`);
      }
    }
    expect(offenders, `import each other:\n${offenders.join('\n')}`).toEqual([]);
  });

  it('names no folder inside a part like a part, and keeps core/ and findings/ flat', () => {
    // eslint.config.js matches "(../)+alerts/" wherever it is written: that means alerts/ only
    // while no subfolder is called alerts; and core's pattern treats any ../ as leaving core/.
    const folders = [...new Set(FILES.map((file) => path.posix.dirname(file)))];
    const offenders = folders.filter((folder) => {
      const [part, ...below] = folder.split('/');
      return below.some((name) => PARTS.includes(name)) || (below.length > 0 && ['core', 'findings'].includes(part!));
    });
    expect(offenders).toEqual([]);
  });
});
