// The folder shipwatch is installed in (the one holding its package.json), for the files the agent
// finds by path at run time: bin/shipwatch-capture.js and dashboards/web. The sources run from
// core/ and the compiled build from build/core/, so a fixed number of ../ would be right for one
// of them only; walking up to the package.json is right for both (and for node_modules/shipwatch).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && isShipwatch(manifest)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no shipwatch package.json above ${start}`);
  }
}

function isShipwatch(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'shipwatch';
  } catch {
    return false;
  }
}

let root: string | undefined;

/** An absolute path inside the installed package: `projectPath('bin', 'shipwatch-capture.js')`. */
export function projectPath(...parts: string[]): string {
  root ??= findRoot(import.meta.dirname);
  return path.join(root, ...parts);
}
