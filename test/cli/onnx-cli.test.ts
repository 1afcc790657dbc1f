import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { loadBundled } from '../../engine/data/bundled';
import { exportPyTorch } from '../../engine/export/pytorch';
import { writeSafetensors } from '../../engine/export/safetensors';
import { importOnnx } from '../../engine/onnx/import';
import { layoutWeightOf } from '../../engine/train/network-weights';
import { runCli } from '../helpers/cli';
import { accuracyOf, runtimeOutput } from '../helpers/onnx-runtime';
import { bundledFiles, samplesDir } from '../helpers/samples';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lenet = join(root, 'test/fixtures/onnx/lenet.onnx');
const mlp = join(root, 'test/fixtures/onnx/mlp.onnx');

describe('ONNX models on the command line', () => {
  it('export --to netloom writes the graph and its weights, which train; train reads the model itself', () => {
    // The MLP fixture (20 features, 4 classes) on a small CSV of its own: runs of a few steps.
    const rows = [`label,${Array.from({ length: 20 }, (_, j) => `f${j}`).join(',')}`];
    for (let i = 0; i < 48; i++)
      rows.push(`${i % 4},${Array.from({ length: 20 }, (_, j) => ((i * 7 + j * 3) % 11) / 10).join(',')}`);
    writeFileSync(join(dir, 'rows.csv'), `${rows.join('\n')}\n`);
    const data = ['--data', join(dir, 'rows.csv'), '--label', 'label', '--epochs', '1'];
    const exported = runCli('export', mlp, '--to', 'netloom', '--out', dir);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.trim().split('\n')).toEqual([join(dir, 'mlp.json'), join(dir, 'mlp.safetensors')]);
    const graph = JSON.parse(readFileSync(join(dir, 'mlp.json'), 'utf8'));
    expect(graph.nodes.map((n: { kind: string }) => n.kind)).toEqual(['input', 'dense', 'activation', 'dense']);
    // The graph names its weights: a run starts from them, unless --fresh.
    expect(graph.weights).toEqual({ file: 'mlp.safetensors' });
    const trained = runCli('train', join(dir, 'mlp.json'), ...data);
    expect(trained.code, trained.err).toBe(0);
    expect(trained.out).toContain(`weights from ${join(dir, 'mlp.safetensors')}`);
    const fresh = runCli('train', join(dir, 'mlp.json'), ...data, '--fresh', '--out', join(dir, 'fresh'));
    expect(fresh.code, fresh.err).toBe(0);
    expect(fresh.out).not.toContain('weights from');
    // Weights named outside the graph's folder are refused, as data paths are.
    writeFileSync(
      join(dir, 'outside.json'),
      JSON.stringify({ ...graph, weights: { file: '../elsewhere.safetensors' } }),
    );
    const outside = runCli('train', join(dir, 'outside.json'), ...data);
    expect(outside.code).toBe(2);
    expect(outside.err).toMatch(/weights\.file "\.\.\/elsewhere\.safetensors" leads out of the folder/);
    // The model itself trains, from its own weights.
    const direct = runCli('train', mlp, ...data, '--out', join(dir, 'direct'));
    expect(direct.code, direct.err).toBe(0);
    expect(direct.out).toContain(`weights from ${mlp}`);
    // A graph is not an ONNX model: --to netloom says so.
    expect(runCli('export', join(samplesDir, 'mlp.json'), '--to', 'netloom').err).toMatch(
      /--to netloom opens an ONNX model/,
    );
    // An ONNX file that is not one: refused by name, nothing written.
    writeFileSync(join(dir, 'broken.onnx'), 'not a model');
    const broken = runCli('export', join(dir, 'broken.onnx'), '--to', 'netloom', '--out', join(dir, 'never'));
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/broken\.onnx: not an ONNX model/);
  });

  it("the imported weights evaluate in the engine as in ONNX Runtime: the bundled test set's accuracy", async () => {
    const model = new Uint8Array(readFileSync(lenet));
    const imported = importOnnx(model, 'lenet.onnx');
    const files = bundledFiles();
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.open({ doc: imported.document, data: { kind: 'bundled', files } });
    const weight = layoutWeightOf(imported.document, imported.params, imported.layerState, 'lenet.onnx');
    await api.importWeights({
      bytes: writeSafetensors(exportPyTorch(imported.document).stateDict(weight)),
      file: 'lenet.onnx',
    });
    const engine = await api.evaluate({ data: { kind: 'bundled', files }, which: 'test' });
    await api.close();
    const { test } = await loadBundled('fashion-mnist-small', files);
    const y = await runtimeOutput(model, { name: 'x', x: test.x, dims: [test.count, 1, 28, 28] }, 'y');
    expect(accuracyOf(y, 10, test.targets)).toBe(engine.accuracy);
  });
});
