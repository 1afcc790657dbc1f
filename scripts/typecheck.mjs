// Type-checks the four TypeScript projects (the Electron main process and tools, the page, the engine's
// worker, the tests) at the same time: each `tsc` is single-threaded, and together they take both cores
// where one after another they took twice as long. Each keeps its incremental state in node_modules/.cache.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const projects = ['node', 'web', 'worker', 'test'];

const runs = projects.map(
  (project) =>
    new Promise((resolve) => {
      const args = ['-p', `tsconfig.${project}.json`, '--noEmit', '--incremental'];
      args.push('--tsBuildInfoFile', `node_modules/.cache/tsc/${project}.tsbuildinfo`, '--pretty');
      const child = spawn(process.execPath, [tsc, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      child.on('close', (code) => resolve({ project, code, output }));
    }),
);

let failed = 0;
for (const { project, code, output } of await Promise.all(runs)) {
  if (code === 0) continue;
  failed++;
  console.error(`tsconfig.${project}.json:\n${output}`);
}
console.log(failed === 0 ? `type check: ${projects.length} projects, no errors` : `type check: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
