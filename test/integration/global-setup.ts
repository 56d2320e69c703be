// Brings up the private test environment (scripts/testenv.sh) once for the integration and e2e
// projects, and tears down what it started. SHIPWATCH_KEEP_TESTENV=1 leaves it up for the next run.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '../../scripts/testenv.sh');

export default function setup(): () => void {
  const wasUp = (() => {
    try {
      execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const output = execFileSync('bash', [script, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) process.env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return () => {
    if (wasUp || process.env.SHIPWATCH_KEEP_TESTENV === '1') return;
    execFileSync('bash', [script, 'down'], { stdio: 'inherit' });
  };
}
