import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** One of the command-line tools (cli/<script>.ts) run as npm runs it, from the repository; its exit and output. */
export function runCli(script: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const done = spawnSync(process.execPath, ['--import', 'tsx', join(root, `cli/${script}.ts`), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: done.status, out: done.stdout, err: done.stderr };
}
