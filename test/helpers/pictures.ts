import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundled } from '../../engine/data/bundled';
import { pythonExecutable } from './python';
import { bundledFiles } from './samples';

/**
 * The first `count` test images of the bundled set written as PNG files (8-bit gray, by Pillow: the same
 * values as the IDX bytes) into `folder` as item-<i>.png; their paths and the samples as Netloom reads them.
 */
export async function testPictures(folder: string, count: number): Promise<{ paths: string[]; x: Float32Array }> {
  const { test } = await loadBundled('fashion-mnist-small', bundledFiles());
  const x = test.x.slice(0, count * 784);
  writeFileSync(join(folder, 'pixels.json'), JSON.stringify(Array.from(x, (v) => Math.round(v * 255))));
  const code = [
    'import json, sys, numpy as np',
    'from PIL import Image',
    'values = np.array(json.load(open(sys.argv[1])), dtype=np.uint8).reshape(-1, 28, 28)',
    'for i, v in enumerate(values):',
    '    Image.fromarray(v, "L").save(f"{sys.argv[2]}/item-{i}.png")',
  ].join('\n');
  execFileSync(pythonExecutable(), ['-c', code, join(folder, 'pixels.json'), folder]);
  return { paths: Array.from({ length: count }, (_, i) => join(folder, `item-${i}.png`)), x };
}
