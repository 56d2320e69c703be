// Adds up the JSON reports of the vitest projects run by scripts/test.sh and prints one closing
// line, "tests: N passed, N failed, N skipped", that CI reads.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  // A suite that fails in its hooks fails no test by itself: count it, so the line never hides it.
  failed += Math.max(report.numFailedTests ?? 0, report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
