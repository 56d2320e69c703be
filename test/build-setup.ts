// Global setup of every test project: tests that spawn bin/shipwatch.js run the compiled build,
// as users do, so it is made first when missing or older than the sources (a no-op otherwise).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync('bash', [path.resolve(import.meta.dirname, '../scripts/build.sh'), '--if-stale'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
