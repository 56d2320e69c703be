#!/usr/bin/env node
// Runs the compiled agent (build/, made by `npm run build`; `npm start` and `npm test` make it
// when it is missing or older than the sources). Plain JavaScript at start: no TypeScript is
// compiled on the way to `--help`.
import { existsSync } from 'node:fs';

const program = new URL('../build/agent/cli/program.js', import.meta.url);
if (!existsSync(program)) {
  process.stderr.write('shipwatch: build/ is missing: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { main } = await import(program.href);
process.exitCode = await main(process.argv.slice(2));
