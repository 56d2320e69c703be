#!/usr/bin/env node
// The peer of bench/cli-start.ts: the CLI as bin/shipwatch.js ran it before the compiled build,
// the TypeScript sources through tsx's loader (compiled on every start, tsx's cache warm).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../agent/cli/program.ts');
process.exitCode = await main(process.argv.slice(2));
