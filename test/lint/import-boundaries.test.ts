import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Lints one probe file placed in the tree (the rules depend on where a file lives), then removes it. */
function lintProbe(path: string, source: string): string {
  const file = join(root, path);
  writeFileSync(file, source);
  try {
    execFileSync(join(root, 'node_modules/.bin/biome'), ['lint', '--max-diagnostics=50', file], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}`;
  } finally {
    rmSync(file);
  }
}

describe('who may import whom (lint)', () => {
  it('engine imports neither main nor renderer, nor Node or Electron', () => {
    const out = lintProbe(
      'engine/zz-probe.ts',
      "import { a } from '../main/menu';\nimport { b } from '../renderer/App';\nimport { c } from 'node:fs';\nimport { d } from 'electron';\nexport const x = [a, b, c, d];\n",
    );
    expect(out).toMatch(/engine imports nothing of main/);
    expect(out).toMatch(/engine imports nothing of renderer/);
    expect(out).toMatch(/no Node built-ins/);
    expect(out).toMatch(/cannot use Electron/);
  });

  it('main may import engine/graph only, and nothing of renderer', () => {
    const out = lintProbe(
      'main/zz-probe.ts',
      "import { a } from '../engine/graph';\nimport { b } from '../engine/api';\nimport { c } from '../renderer/App';\nexport const x = [a, b, c];\n",
    );
    expect(out).toMatch(/main imports engine\/graph for validation only/);
    expect(out).toMatch(/main imports nothing of renderer/);
    expect(out.match(/noRestrictedImports/g)).toHaveLength(2);
  });

  it('renderer reaches main only through the shared IPC contract', () => {
    const out = lintProbe(
      'renderer/zz-probe.ts',
      "import type { A } from '../main/ipc-contract';\nimport { b } from '../main/menu';\nimport { c } from 'electron';\nexport const x: [A?, unknown, unknown] = [undefined, b, c];\n",
    );
    expect(out.match(/noRestrictedImports/g)).toHaveLength(2);
    expect(out).toMatch(/only main\/ipc-contract is shared/);
  });
});
