import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import { size } from '../../engine/layers/layer';
import { layerDef, layerKinds } from '../../engine/layers/registry';
import { exportOnnx } from '../../engine/onnx/export';
import { largestRowRelative, layerGraph, netloomForward } from '../helpers/netloom-forward';
import { ort } from '../helpers/onnx-runtime';
import { pythonExecutable } from '../helpers/python';
import { sampleTexts } from '../helpers/samples';

const PYTHON = pythonExecutable();
const BATCH = 64;
const dir = mkdtempSync(join(tmpdir(), 'netloom-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ONNX Runtime's outputs of a model on one batch, by output name. */
async function runtimeOutputs(model: Uint8Array, inputName: string, input: Float32Array, shape: number[]) {
  const session = await ort.InferenceSession.create(model);
  const results = await session.run({ [inputName]: new ort.Tensor('float32', input, shape) });
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.data as Float32Array]));
}

const examples = layerKinds
  .filter((kind) => kind !== 'input')
  .flatMap((kind) => layerDef(kind).examples.map((ex, i) => [`${kind} example ${i + 1}`, kind, ex] as const));
const samples = sampleTexts().map(([file, text]) => {
  const parsed = parseGraphText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return [file, parsed.document] as const;
});
const written: string[] = [];

/** Exports the document on fresh weights and compares ONNX Runtime's output with Netloom's on 64 inputs. */
async function expectSameOutputs(name: string, doc: GraphDocument): Promise<void> {
  const run = await netloomForward(doc, 5, BATCH);
  const model = exportOnnx(doc, run.weight);
  const path = join(dir, `${written.length}.onnx`);
  writeFileSync(path, model);
  written.push(path);
  const input = doc.nodes.find((n) => n.kind === 'input')!.id;
  const outputs = await runtimeOutputs(model, input, run.input, [BATCH, ...run.inputShape]);
  const output = Object.keys(outputs)[0];
  expect(outputs[output].length).toBe(BATCH * size(run.outputShape));
  // Relative to each sample's largest output: float32 sums in another order differ by about 1e-6 of that,
  // which an element near zero would turn into a large relative error of its own.
  const rows = size(run.outputShape);
  expect(largestRowRelative(outputs[output], run.output, rows), `${name}: largest relative difference`).toBeLessThan(
    1e-4,
  );
}

describe('the exported ONNX model computes what Netloom computes (ONNX Runtime, 64 inputs)', () => {
  it.each(examples)('%s', async (name, kind, ex) => {
    await expectSameOutputs(name, layerGraph(kind, ex.params, ex.inputs));
  });

  it.each(samples)('the sample %s', async (name, doc) => {
    await expectSameOutputs(name, doc);
  });

  it("passes ONNX's own checker (full check, shape inference included) for every model written", () => {
    expect(written.length).toBe(examples.length + samples.length);
    const code = [
      'import sys, onnx',
      'for path in sys.argv[1:]:',
      '    onnx.checker.check_model(onnx.load(path), full_check=True)',
      'print(len(sys.argv) - 1)',
    ].join('\n');
    expect(execFileSync(PYTHON, ['-c', code, ...written], { encoding: 'utf8' }).trim()).toBe(String(written.length));
  });
});

describe('ONNX export options', () => {
  it('appends the probabilities the loss would apply, as a second output; the same graph gives the same bytes', async () => {
    const doc = samples.find(([file]) => file === 'spiral.json')![1];
    const run = await netloomForward(doc, 5, BATCH);
    const model = exportOnnx(doc, run.weight, { probabilities: true });
    expect(Buffer.from(model).equals(Buffer.from(exportOnnx(doc, run.weight, { probabilities: true })))).toBe(true);
    const outputs = await runtimeOutputs(model, 'input', run.input, [BATCH, 2]);
    expect(Object.keys(outputs).sort()).toEqual(['probabilities', 'scores']);
    for (let i = 0; i < BATCH; i++) {
      const logits = Array.from(run.output.subarray(3 * i, 3 * i + 3));
      const top = Math.max(...logits);
      const sum = logits.reduce((s, v) => s + Math.exp(v - top), 0);
      for (let k = 0; k < 3; k++)
        expect(outputs.probabilities[3 * i + k]).toBeCloseTo(Math.exp(logits[k] - top) / sum, 5);
    }
    const regression = samples.find(([file]) => file === 'regression.json')![1];
    expect(() => exportOnnx(regression, () => new Float32Array(1), { probabilities: true })).toThrow(
      'mean squared error has no probabilities',
    );
  });
});
