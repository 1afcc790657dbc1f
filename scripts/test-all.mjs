// `npm test`: every check on the project, arranged for a 2-core machine. The type checks, the lint and the
// web build run at once, then the unit and the end-to-end tests run at once: each test stage alone leaves
// part of the machine idle (the end-to-end tests drive one page at a time), together they keep both cores
// busy. Each line of output is prefixed with its stage; a failing stage fails the run after the others end.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

process.chdir(join(import.meta.dirname, '..'));
const node = process.execPath;
const vitest = 'node_modules/vitest/vitest.mjs';
const vite = 'node_modules/vite/bin/vite.js';
const biome = 'node_modules/@biomejs/biome/bin/biome';

// The stages write into pipes: colours only where this run writes to a terminal.
const colours = process.stdout.isTTY ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' };

/** Runs one stage, passing each whole line of its output on with the stage's label; resolves to its exit code. */
function stage(label, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...colours } });
    const relay = (stream, out) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop();
        for (const line of lines) out.write(`${label} │ ${line}\n`);
      });
      stream.on('end', () => {
        if (pending) out.write(`${label} │ ${pending}\n`);
      });
    };
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`${label} │ ${code === 0 ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s`);
      resolve(code ?? 1);
    });
  });
}

async function all(stages) {
  const codes = await Promise.all(stages.map(([label, args]) => stage(label, args)));
  return codes.every((code) => code === 0);
}

const checked = await all([
  ['types', ['scripts/typecheck.mjs']],
  ['lint ', [biome, 'check', '.']],
  ['build', [vite, 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn']],
]);
if (!checked) process.exit(1);

const report = (name) => ['--reporter=default', '--reporter=json', `--outputFile.json=test-artifacts/${name}.json`];
const tested = await all([
  ['unit ', [vitest, 'run', ...report('unit')]],
  ['e2e  ', [vitest, 'run', '--config', 'vitest.e2e.config.ts', ...report('e2e')]],
]);
// Then the page tests that measure frames, with the machine to themselves (throttling pauses by the clock).
const alone = await all([['alone', [vitest, 'run', '--config', 'vitest.e2e-alone.config.ts', ...report('e2e-alone')]]]);
process.exit(tested && alone ? 0 : 1);
