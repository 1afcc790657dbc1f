/**
 * Writes every layer example of the registry, with its params parsed (defaults filled in) and its output
 * shape, to test/fixtures/layer-examples.json: the input of scripts/gen-fixtures.py.
 * Run: npx tsx scripts/export-layer-examples.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerDef, layerKinds } from '../engine/layers/registry';

const examples = layerKinds.flatMap((kind) => {
  const def = layerDef(kind);
  return def.examples.map((example, index) => {
    const params = def.params.parse(example.params);
    const out = def.outputShape(params, example.inputs);
    if (!out.ok) throw new Error(`${kind} example ${index}: ${out.message}`);
    const paramShapes = Object.fromEntries(
      Object.entries(def.paramSpecs(params, example.inputs)).map(([k, s]) => [k, s.shape]),
    );
    return { kind, index, params, inputs: example.inputs, output: out.shape, paramShapes };
  });
});
const path = join(import.meta.dirname, '../test/fixtures/layer-examples.json');
writeFileSync(path, `${JSON.stringify(examples, null, 1)}\n`);
// Written as the project's formatter writes JSON, so a regenerated file differs only where examples do.
execFileSync('npx', ['biome', 'format', '--write', path], { stdio: 'ignore' });
console.log(`${examples.length} examples written to ${path}`);
