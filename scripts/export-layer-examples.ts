/**
 * Writes every layer example of the registry, with its params parsed (defaults filled in) and its output
 * shape, to test/fixtures/layer-examples.json, and every optimizer's example with its PyTorch constructor to
 * test/fixtures/optimizer-examples.json: the inputs of scripts/gen-fixtures.py.
 * Run: npx tsx scripts/export-layer-examples.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerDef, layerKinds } from '../engine/layers/registry';
import { activationOps, type UnaryOp } from '../engine/ops/activations';
import { optimizerKinds, optimizerRules } from '../engine/ops/optimizers';

/** The PyTorch expression of an activation, from the operations' table (softmax is a layer of its own kind). */
function torchOf(kind: string, params: Record<string, unknown>): { torch?: string; alpha?: number } {
  if (kind !== 'activation') return {};
  const fn = params.fn as string;
  if (fn === 'softmax') return { torch: 'torch.softmax(x, dim=-1)' };
  const alpha = fn === 'leaky-relu' ? (params.slope as number) : (params.alpha as number);
  return { torch: activationOps[fn as UnaryOp].torch, alpha };
}

const examples = layerKinds.flatMap((kind) => {
  const def = layerDef(kind);
  return def.examples.map((example, index) => {
    const params = def.params.parse(example.params);
    const out = def.outputShape(params, example.inputs);
    if (!out.ok) throw new Error(`${kind} example ${index}: ${out.message}`);
    const paramShapes = Object.fromEntries(
      Object.entries(def.paramSpecs(params, example.inputs)).map(([k, s]) => [k, s.shape]),
    );
    return { kind, index, params, inputs: example.inputs, output: out.shape, paramShapes, ...torchOf(kind, params) };
  });
});
const optimizers = optimizerKinds.map((kind) => ({
  kind,
  hyper: optimizerRules[kind].example,
  torch: optimizerRules[kind].torch,
}));
for (const [name, data] of [
  ['layer-examples.json', examples],
  ['optimizer-examples.json', optimizers],
] as const) {
  const path = join(import.meta.dirname, '../test/fixtures', name);
  writeFileSync(path, `${JSON.stringify(data, null, 1)}\n`);
  // Written as the project's formatter writes JSON, so a regenerated file differs only where examples do.
  execFileSync('npx', ['biome', 'format', '--write', path], { stdio: 'ignore' });
  console.log(`${data.length} examples written to ${path}`);
}
