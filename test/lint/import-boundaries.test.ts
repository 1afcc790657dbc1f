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

  it('main may import engine/graph and engine/files only, and nothing of renderer', () => {
    const out = lintProbe(
      'main/zz-probe.ts',
      "import { a } from '../engine/graph';\nimport { b } from '../engine/api';\nimport { c } from '../renderer/App';\nimport { d } from '../engine/files/decode-text';\nexport const x = [a, b, c, d];\n",
    );
    expect(out).toMatch(/main imports engine\/graph for validation and engine\/files for reading text only/);
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

  it('the command line and its tests import nothing of main or renderer, and no Electron', () => {
    for (const dir of ['cli', 'test/cli']) {
      const up = dir === 'cli' ? '..' : '../..';
      const out = lintProbe(
        `${dir}/zz-probe.ts`,
        `import { a } from '${up}/main/menu';\nimport { b } from '${up}/renderer/App';\nimport { c } from 'electron';\nimport { d } from '${up}/node-io/atomic-write';\nimport { e } from '${up}/engine/api';\nexport const x = [a, b, c, d, e];\n`,
      );
      expect(out, dir).toMatch(/imports nothing of main\/: shared file helpers live in node-io/);
      expect(out, dir).toMatch(/The command line imports nothing of renderer/);
      expect(out, dir).toMatch(/no Electron/);
      expect(out.match(/noRestrictedImports/g), dir).toHaveLength(3);
    }
  });

  it('scripts import nothing of renderer, and of main only its page policy', () => {
    const out = lintProbe(
      'scripts/zz-probe.ts',
      "import { a } from '../main/security';\nimport { b } from '../main/menu';\nimport { c } from '../renderer/App';\nexport const x = [a, b, c];\n",
    );
    expect(out).toMatch(/Scripts import nothing of main\/ but its page policy/);
    expect(out).toMatch(/A script imports nothing of renderer/);
    expect(out.match(/noRestrictedImports/g)).toHaveLength(2);
  });

  it('node-io is plain Node: nothing of main, engine, renderer or Electron', () => {
    const out = lintProbe(
      'node-io/zz-probe.ts',
      "import { a } from '../main/menu';\nimport { b } from '../engine/api';\nimport { c } from 'electron';\nimport { d } from 'node:fs';\nexport const x = [a, b, c, d];\n",
    );
    expect(out.match(/noRestrictedImports/g)).toHaveLength(3);
  });

  it("tests keep their part's rules", () => {
    const engine = lintProbe(
      'test/engine/zz-probe.ts',
      "import { a } from '../../main/menu';\nimport { b } from '../../renderer/App';\nimport { c } from '../../engine/api';\nexport const x = [a, b, c];\n",
    );
    expect(engine).toMatch(/Engine tests import nothing of main/);
    expect(engine).toMatch(/Engine tests import nothing of renderer/);
    expect(engine.match(/noRestrictedImports/g)).toHaveLength(2);
    const renderer = lintProbe(
      'test/renderer/zz-probe.ts',
      "import type { A } from '../../main/ipc-contract';\nimport { b } from '../../main/menu';\nexport const x: [A?, unknown] = [undefined, b];\n",
    );
    expect(renderer.match(/noRestrictedImports/g)).toHaveLength(1);
    expect(
      lintProbe('test/main/zz-probe.ts', "import { a } from '../../renderer/App';\nexport const x = a;\n"),
    ).toMatch(/A main test imports nothing of renderer/);
  });

  it('the graph format imports no data loader, trainer or backend', () => {
    const out = lintProbe(
      'engine/graph/zz-probe.ts',
      "import { a } from '../data/bundled';\nimport { b } from '../optim/optimizers';\nimport { c } from '../train/trainer';\nimport { d } from '../layers/registry';\nexport const x = [a, b, c, d];\n",
    );
    expect(out.match(/The graph format imports the layer, loss and operation tables only/g)).toHaveLength(3);
    // The engine's own rules still hold there (an override replaces the options of the ones before it).
    const engineRules = lintProbe(
      'engine/graph/zz-probe.ts',
      "import { a } from 'node:fs';\nimport { b } from '../../main/menu';\nexport const x = [a, b];\n",
    );
    expect(engineRules).toMatch(/no Node built-ins/);
    expect(engineRules).toMatch(/engine imports nothing of main/);
  });
});
