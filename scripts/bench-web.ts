/** What the benchmarks that drive the web build share (bench-app.ts, bench-page.ts). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Builds the web app (npm run build:web), so that the page runs this working tree's engine. */
export function buildWebApp(): void {
  const built = spawnSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'ignore' });
  if (built.status !== 0 || !existsSync(join(root, 'dist-web/index.html'))) throw new Error('npm run build:web failed');
}

/** Polls `check` until it holds (the benchmarks' moments end on work done, not on time). */
export async function waitFor(check: () => Promise<boolean>, everyMs = 50): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, everyMs));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
