import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { bundledDatasets, loadBundled } from '../../engine/data/bundled';
import { exportPyTorch } from '../../engine/export/pytorch';
import { writeSafetensors } from '../../engine/export/safetensors';
import { importOnnx } from '../../engine/onnx/import';
import { layoutWeightOf } from '../../engine/train/network-weights';
import { samplesDir } from '../helpers/samples';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lenet = join(root, 'test/fixtures/onnx/lenet.onnx');

function run(script: string, ...args: string[]) {
  const done = spawnSync(process.execPath, ['--import', 'tsx', join(root, `cli/${script}.ts`), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: done.status, out: done.stdout, err: done.stderr };
}

describe('ONNX models on the command line', () => {
  it('export --to netloom writes the graph and its weights, which train; train reads the model itself', () => {
    const exported = run('export', lenet, '--to', 'netloom', '--out', dir);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.trim().split('\n')).toEqual([join(dir, 'lenet.json'), join(dir, 'lenet.safetensors')]);
    const graph = JSON.parse(readFileSync(join(dir, 'lenet.json'), 'utf8'));
    expect(graph.nodes.map((n: { kind: string }) => n.kind)).toContain('avgpool2d');
    const trained = run('train', join(dir, 'lenet.json'), '--weights', join(dir, 'lenet.safetensors'), '--epochs', '1');
    expect(trained.code, trained.err).toBe(0);
    const direct = run('train', lenet, '--epochs', '1', '--out', join(dir, 'direct'));
    expect(direct.code, direct.err).toBe(0);
    expect(direct.out).toContain(`weights from ${lenet}`);
    // A graph is not an ONNX model: --to netloom says so.
    expect(run('export', join(samplesDir, 'mlp.json'), '--to', 'netloom').err).toMatch(
      /--to netloom opens an ONNX model/,
    );
    // An ONNX file that is not one: refused by name, nothing written.
    const broken = run(
      'export',
      join(samplesDir, 'mlp.json').replace('mlp.json', '../data/fashion-mnist-small/README.md'),
      '--to',
      'onnx',
    );
    expect(broken.code).toBe(2);
  });

  it("the imported weights evaluate in the engine as in ONNX Runtime: the bundled test set's accuracy", async () => {
    const model = new Uint8Array(readFileSync(lenet));
    const imported = importOnnx(model, 'lenet.onnx');
    const info = bundledDatasets['fashion-mnist-small'];
    const files = Object.fromEntries(
      info.files.map((f) => [f, new Uint8Array(readFileSync(join(samplesDir, '../data', info.folder, f)))]),
    );
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
    const session = await ort.InferenceSession.create(model);
    const { y } = await session.run({ x: new ort.Tensor('float32', test.x, [test.count, 1, 28, 28]) });
    let right = 0;
    for (let i = 0; i < test.count; i++) {
      const scores = Array.from((y.data as Float32Array).subarray(10 * i, 10 * i + 10));
      if (scores.indexOf(Math.max(...scores)) === test.targets[i]) right++;
    }
    expect(right / test.count).toBe(engine.accuracy);
  });
});
