import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ScriptEntry } from './script-entries';

const root = join(import.meta.dirname, '../..');

/**
 * The arguments that start one of the repository's TypeScript entry points in a child Node process: its
 * bundle, built once per test run (test/setup/bundle-scripts.ts). `viaTsx` runs the source through tsx
 * instead, exactly as `npm run <tool>` does.
 */
export function scriptArgs(entry: ScriptEntry, viaTsx = false): string[] {
  if (viaTsx) return ['--import', 'tsx', join(root, `${entry}.ts`)];
  const bundles = inject('scriptBundles');
  if (!bundles) throw new Error('The script bundles are missing: run the tests through vitest and its config.');
  return [join(bundles, `${entry}.mjs`)];
}

type Tool = 'train' | 'export' | 'predict' | 'sweep';
type ToolRun = { code: number | null; out: string; err: string };

function run(start: string[], args: string[]): ToolRun {
  const done = spawnSync(process.execPath, [...start, ...args], { cwd: root, encoding: 'utf8' });
  return { code: done.status, out: done.stdout, err: done.stderr };
}

/** One of the command-line tools (cli/<tool>.ts) run from the repository; its exit and output. */
export function runCli(tool: Tool, ...args: string[]): ToolRun {
  return run(scriptArgs(`cli/${tool}`), args);
}

/** The same, started as `npm run <tool>` starts it: the TypeScript source through tsx. */
export function runCliViaTsx(tool: Tool, ...args: string[]): ToolRun {
  return run(scriptArgs(`cli/${tool}`, true), args);
}
