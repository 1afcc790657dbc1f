// Adds up the vitest JSON reports of the unit and end-to-end runs into one closing line.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of ['test-artifacts/unit.json', 'test-artifacts/e2e.json', 'test-artifacts/e2e-alone.json']) {
  if (!existsSync(report)) {
    console.error(`missing ${report}`);
    process.exit(1);
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
