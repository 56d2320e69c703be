#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a change and
// the agent, the tests and `npx shipwatch` all running the same code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../agent/cli/program.ts');
process.exitCode = await main(process.argv.slice(2));
