import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../cli/load-data';
import { createEngineApi } from '../../engine/api';
import { checkpointWeights, exportPyTorch } from '../../engine/export/pytorch';
import { parseGraphText } from '../../engine/graph';
import { pythonExecutable } from '../helpers/python';
import { samplesDir } from '../helpers/samples';

const PYTHON = pythonExecutable();
const dataDir = join(import.meta.dirname, '../../samples/data/fashion-mnist-small');

/**
 * PyTorch classifies the bundled test set with the exported module and a checkpoint's weights: the mean
 * cross-entropy and the accuracy, as JSON. Images as Netloom reads them: 0..255 scaled to 0..1.
 */
const evaluateInTorch = [
  'import gzip, json, sys, importlib.util, numpy as np, torch, torch.nn.functional as F',
  'd, data, shape = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])',
  'spec = importlib.util.spec_from_file_location("net", d + "/net.py")',
  'net = importlib.util.module_from_spec(spec)',
  'spec.loader.exec_module(net)',
  'model = net.load_weights(net.Net(), d + "/net.safetensors").eval()',
  'images = np.frombuffer(gzip.open(data + "/test-images.idx.gz").read()[16:], dtype=np.uint8)',
  'labels = np.frombuffer(gzip.open(data + "/test-labels.idx.gz").read()[8:], dtype=np.uint8).astype(np.int64)',
  'x = torch.from_numpy(images.astype(np.float32) / 255).reshape([len(labels)] + shape)',
  'with torch.no_grad():',
  '    logits = model(x)',
  'loss = F.cross_entropy(logits, torch.from_numpy(labels)).item()',
  'accuracy = (logits.argmax(1).numpy() == labels).mean()',
  'print(json.dumps({"loss": loss, "accuracy": float(accuracy)}))',
].join('\n');

describe('a Netloom checkpoint in PyTorch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netloom-round-trip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trained here, exported with its weights: PyTorch gets the test accuracy and loss Netloom reports', async () => {
    const graphPath = join(samplesDir, 'mlp.json');
    const parsed = parseGraphText(readFileSync(graphPath, 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const run = await loadTrainingData(parsed.document, [], samplesDir);
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.open({ doc: run.doc, data: run.data, options: { checkpointIntervalMs: Number.POSITIVE_INFINITY } });
    await api.run({ steps: 60 });
    const checkpoint = await api.checkpoint();
    const test = run.test;
    if (!test) throw new Error('the bundled sample has a test set');
    const ours = await api.evaluate(test);
    await api.close();

    writeFileSync(join(dir, 'net.py'), exportPyTorch(run.doc).source);
    writeFileSync(join(dir, 'net.safetensors'), checkpointWeights(run.doc, checkpoint, 'mlp.ckpt'));
    const inputShape = run.doc.nodes.find((n) => n.kind === 'input')!.params as { shape: number[] };
    const theirs = JSON.parse(
      execFileSync(PYTHON, ['-c', evaluateInTorch, dir, dataDir, JSON.stringify(inputShape.shape)], {
        encoding: 'utf8',
      }),
    );
    // Trained a little: far from chance (10%) and from perfect, so that agreement means something.
    expect(ours.accuracy ?? 0).toBeGreaterThan(0.5);
    expect(
      Math.abs(theirs.accuracy - (ours.accuracy ?? Number.NaN)),
      `PyTorch ${theirs.accuracy}, Netloom ${ours.accuracy}`,
    ).toBeLessThanOrEqual(0.001);
    expect(Math.abs(theirs.loss - ours.loss) / ours.loss).toBeLessThan(1e-4);
  });

  it('refuses a checkpoint of another network, naming the file', async () => {
    const mlp = parseGraphText(readFileSync(join(samplesDir, 'mlp.json'), 'utf8'));
    const spiral = parseGraphText(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    if (!mlp.ok || !spiral.ok) throw new Error('samples load');
    const run = await loadTrainingData(spiral.document, [], samplesDir);
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.open({ doc: run.doc, data: run.data, options: { checkpointIntervalMs: Number.POSITIVE_INFINITY } });
    await api.run({ steps: 1 });
    const checkpoint = await api.checkpoint();
    await api.close();
    expect(() => checkpointWeights(mlp.document, checkpoint, 'spiral.ckpt')).toThrow(
      /^spiral\.ckpt belongs to another network/,
    );
  });
});
