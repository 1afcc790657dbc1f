import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledDatasets } from '../../engine/data/bundled';

export const samplesDir = join(import.meta.dirname, '../../samples/graphs');

/** Every bundled sample graph, as [file name, text]. */
export function sampleTexts(): [string, string][] {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, readFileSync(join(samplesDir, f), 'utf8')]);
}

/** The bundled Fashion-MNIST subset's files, by name, as the engine takes them ({ kind: 'bundled', files }). */
export function bundledFiles(): Record<string, Uint8Array> {
  const info = bundledDatasets['fashion-mnist-small'];
  return Object.fromEntries(
    info.files.map((f) => [f, new Uint8Array(readFileSync(join(samplesDir, '../data', info.folder, f)))]),
  );
}
