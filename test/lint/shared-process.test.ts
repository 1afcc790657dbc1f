import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Every test source under `dir`, but the page tests (their own config, each file in its own process). */
function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'e2e' || entry.name === 'fixtures' ? [] : testSources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/**
 * The unit tests share their processes (vitest.config.ts: `isolate: false`, which saves each file loading
 * the engine again): a module mock, a stubbed global or environment variable, fake timers or a spy would
 * outlive its file and change the files that run after it in the same process.
 */
describe('unit tests that share a process', () => {
  it('use no module mocks, stubbed globals, fake timers or spies', () => {
    const leaky = new RegExp(
      `\\bvi\\.(${['mock', 'doMock', 'stubGlobal', 'stubEnv', 'useFakeTimers', 'spyOn'].join('|')})\\(`,
    );
    const offenders = testSources(join(root, 'test'))
      .filter((file) => file !== import.meta.filename && leaky.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
