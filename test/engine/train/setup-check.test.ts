import { describe, expect, it } from 'vitest';
import { describeDataset } from '../../../engine/data/describe';
import { analyseGraph, type GraphDocument, parseGraphText } from '../../../engine/graph';
import { setupDiagnostics, withSetup } from '../../../engine/train/setup-check';
import { chain } from '../../helpers/graphs';
import { sampleTexts } from '../../helpers/samples';

function sample(name: string): GraphDocument {
  const loaded = parseGraphText(sampleTexts().find(([f]) => f === name)![1]);
  if (!loaded.ok) throw new Error(`${name} does not load`);
  return loaded.document;
}
const check = async (doc: GraphDocument) => {
  const analysis = analyseGraph(doc);
  const problems = setupDiagnostics(doc, analysis, await describeDataset(doc));
  return { problems, analysis: withSetup(analysis, problems) };
};

describe('the network checked against its dataset before Train', () => {
  it('finds LeNet-5 on the 2-D spiral points: the Input, named, and Train disabled', async () => {
    const doc = sample('lenet5.json');
    doc.training.dataset = { source: 'synthetic', generator: 'spiral', samples: 300, noise: 0.1 };
    const { problems, analysis } = await check(doc);
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        nodeId: 'input',
        message: 'the dataset (spiral) has samples of [2], but this Input takes [1, 28, 28]',
      }),
    ]);
    expect(analysis.canTrain).toBe(false);
    expect(analysis.nodes.get('input')?.diagnostics.map((d) => d.code)).toContain('SETUP_MISMATCH');
  });

  it('finds more classes than the output scores, and labels of the wrong kind for the loss', async () => {
    const three = chain([2], [['dense', { units: 2 }]], { dataset: { source: 'synthetic', generator: 'spiral' } });
    expect((await check(three)).problems[0].message).toBe(
      'the dataset (spiral) has 3 classes, but this layer outputs 2 scores',
    );
    const regression = chain([2], [['dense', { units: 3 }]], {
      dataset: { source: 'synthetic', generator: 'regression' },
    });
    expect((await check(regression)).problems[0].message).toMatch(
      /Softmax cross-entropy needs class labels, but the dataset \(regression\) has values to fit/,
    );
  });

  it('passes the samples on their own data, and MSE on class labels (one-hot)', async () => {
    for (const name of ['mlp.json', 'lenet5.json', 'spiral.json', 'regression.json', 'sequence-majority.json'])
      expect((await check(sample(name))).problems, name).toEqual([]);
    const mse = sample('spiral.json');
    mse.training.loss = { kind: 'mse' };
    expect((await check(mse)).problems).toEqual([]);
  });

  it('warns of a batch larger than the training samples without blocking Train', async () => {
    const doc = sample('spiral.json');
    doc.training.batchSize = 4096;
    const { problems, analysis } = await check(doc);
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(/batch size 4096 is more than the \d+ training samples/),
      }),
    ]);
    expect(analysis.canTrain).toBe(true);
  });

  it('reads picked files: IDX headers (gzipped too) and a CSV file’s columns', async () => {
    const doc = sample('mlp.json');
    doc.training.dataset = { source: 'idx', images: 'i.idx', labels: 'l.idx' };
    const header = (dims: number[]) => {
      const b = new Uint8Array(4 + 4 * dims.length + 8);
      b[2] = 8;
      b[3] = dims.length;
      dims.forEach((d, i) => {
        new DataView(b.buffer).setUint32(4 + 4 * i, d);
      });
      return b;
    };
    const { gzipSync } = await import('node:zlib');
    const files = [
      { path: 'i.idx.gz', bytes: new Uint8Array(gzipSync(header([60, 20, 20]))) },
      { path: 'l.idx', bytes: header([60]) },
    ];
    expect(await describeDataset(doc, { files })).toMatchObject({ inputShape: [1, 20, 20], count: 60 });
    expect(
      (
        await check({ ...doc }).then(() =>
          setupDiagnostics(doc, analyseGraph(doc), { name: 'i.idx.gz', inputShape: [1, 20, 20] }),
        )
      )[0].message,
    ).toMatch(/samples of \[1, 20, 20\], but this Input takes \[1, 28, 28\]/);
    const csv = chain([3], [['dense', { units: 2 }]], {
      dataset: { source: 'csv', path: 'd.csv', labelColumn: 'y', normalise: 'none' },
    });
    const described = await describeDataset(csv, { files: [], columns: ['a', 'b', 'y'] });
    expect(described).toMatchObject({ inputShape: [2] });
    expect(setupDiagnostics(csv, analyseGraph(csv), described)[0].message).toMatch(
      /samples of \[2\], but this Input takes \[3\]/,
    );
  });

  it("finds several target columns against the output's units, and against a loss of classes", async () => {
    // Four columns, two of them targets: two features, two values per sample.
    const columns = ['a', 'b', 'rain', 'snow'];
    const net = (units: number, loss: 'mse' | 'sigmoid-binary-cross-entropy' | 'softmax-cross-entropy') =>
      chain([2], [['dense', { units }]], {
        dataset: { source: 'csv', path: 'd.csv', labelColumn: ['rain', 'snow'], normalise: 'none' },
        loss: { kind: loss },
      });
    const described = await describeDataset(net(2, 'mse'), { files: [], columns });
    expect(described).toMatchObject({ inputShape: [2], targetKind: 'tensor', targetSize: 2 });
    const problems = (doc: GraphDocument) => setupDiagnostics(doc, analyseGraph(doc), described).map((p) => p.message);
    expect(problems(net(2, 'mse'))).toEqual([]);
    expect(problems(net(2, 'sigmoid-binary-cross-entropy'))).toEqual([]);
    expect(problems(net(1, 'sigmoid-binary-cross-entropy'))).toEqual([
      "Sigmoid binary cross-entropy compares this layer's [1] with targets of 2 values",
    ]);
    expect(problems(net(3, 'softmax-cross-entropy'))).toEqual([
      'Softmax cross-entropy needs class labels, but the dataset (d.csv) has values to fit: mean squared error fits values, sigmoid binary cross-entropy yes/no labels of 0 and 1',
    ]);
    // One label column says nothing of its targets until the file is read.
    const one = net(1, 'mse');
    if (one.training.dataset.source === 'csv') one.training.dataset.labelColumn = 'rain';
    expect(await describeDataset(one, { files: [], columns })).toEqual({ name: 'd.csv', inputShape: [3] });
  });
});
