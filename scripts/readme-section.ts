import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * Replaces what README.md holds between `<!-- name -->` and `<!-- /name -->` with `text` (a benchmark's
 * table), then formats the file as the linter wants its tables aligned.
 */
export function writeReadmeSection(name: string, text: string): void {
  const readme = join(root, 'README.md');
  const current = readFileSync(readme, 'utf8');
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  if (!current.includes(start) || !current.includes(end)) throw new Error(`README.md has no ${name} markers`);
  writeFileSync(
    readme,
    `${current.slice(0, current.indexOf(start) + start.length)}\n${text}\n${current.slice(current.indexOf(end))}`,
  );
  execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', readme], { stdio: 'ignore' });
}
