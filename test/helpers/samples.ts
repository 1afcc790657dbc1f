import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const samplesDir = join(import.meta.dirname, '../../samples/graphs');

/** Every bundled sample graph, as [file name, text]. */
export function sampleTexts(): [string, string][] {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, readFileSync(join(samplesDir, f), 'utf8')]);
}
