import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { bundledDatasets } from '../../engine/data/bundled';
import { parseGraphText } from '../../engine/graph';
import { runCli, runCliViaTsx } from '../helpers/cli';
import { runtimeOutput, topClasses } from '../helpers/onnx-runtime';
import { testPictures } from '../helpers/pictures';
import { samplesDir } from '../helpers/samples';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parseRows = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .map((line) => line.split(','));

/** npm run predict with a run's graph and checkpoint (`<run>.json`, `<run>.ckpt` in `folder`) on a data file. */
const predictWith = (folder: string, run: string, data: string, ...extra: string[]) =>
  runCli('predict', join(folder, `${run}.json`), '--ckpt', join(folder, `${run}.ckpt`), '--data', data, ...extra);

describe('npm run predict', () => {
  it("classifies pictures of the user's as ONNX Runtime does (top classes, probabilities)", async () => {
    const info = bundledDatasets['fashion-mnist-small'];
    // Five test images as PNG files.
    const pictures = join(dir, 'pictures');
    mkdirSync(pictures);
    const { x } = await testPictures(pictures, 5);
    const model = join(root, 'test/fixtures/onnx/lenet.onnx');
    const done = runCliViaTsx(
      'predict',
      model,
      '--data',
      pictures,
      '--top',
      '2',
      '--out',
      join(dir, 'predictions.csv'),
    );
    expect(done.code, done.err).toBe(0);
    expect(done.err).toMatch(/5 inputs in [\d.]+ ms of forward passes/);
    const [header, ...rows] = parseRows(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
    expect(header).toEqual(['input', 'class1', 'p1', 'class2', 'p2']);
    expect(rows.map((r) => r[0].split('/').pop())).toEqual([0, 1, 2, 3, 4].map((i) => `item-${i}.png`));
    const y = await runtimeOutput(model, { name: 'x', x, dims: [5, 1, 28, 28] }, 'y');
    topClasses(y, 10).forEach(({ best, probability }, i) => {
      expect(rows[i][1]).toBe(info.classNames[best]);
      expect(Math.abs(Number(rows[i][2]) - probability)).toBeLessThan(1e-5);
    });
    // A file that is not a picture is refused by name.
    writeFileSync(join(pictures, 'notes.txt'), 'hello');
    expect(runCli('predict', '--help').out).toMatch(/^usage: npm run predict -- <graph\.json\|model\.onnx>/);
    for (const top of ['0', '1e1', '101'])
      expect(runCli('predict', model, '--data', pictures, '--top', top).err, top).toContain(
        `--top must be a whole number from 1 to 100, got "${top}"`,
      );
    const refused = runCli('predict', model, '--data', join(pictures, 'notes.txt'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/notes\.txt: not a PNG or JPEG image/);
  });

  it('reads CSV rows by the feature columns it was trained on, scaled as its training set was', async () => {
    const folder = join(dir, 'table');
    mkdirSync(folder);
    const rows = ['height,colour,weight,kind'];
    for (let i = 0; i < 90; i++) {
      const kind = ['small', 'medium', 'large'][i % 3];
      rows.push(`${(i % 3) * 10 + (i % 7)},${i % 5},${(i % 3) * 100 + (i % 11) * 3},${kind}`);
    }
    writeFileSync(join(folder, 'animals.csv'), `${rows.join('\n')}\n`);
    const parsed = parseGraphText(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    if (!parsed.ok) throw new Error('spiral does not load');
    const doc = parsed.document;
    doc.training = {
      ...doc.training,
      dataset: {
        source: 'csv',
        path: 'animals.csv',
        labelColumn: 'kind',
        featureColumns: ['weight', 'height'],
        normalise: 'z-score',
      },
      validation: { split: 0 },
      epochs: 3,
    };
    writeFileSync(join(folder, 'animals.json'), JSON.stringify(doc));
    const trained = runCli('train', join(folder, 'animals.json'));
    expect(trained.code, trained.err).toBe(0);
    // The rows to predict: the columns in another order, no label column.
    const inputs = [
      'colour,weight,height',
      ...rows.slice(1).map((r) => {
        const [height, colour, weight] = r.split(',');
        return `${colour},${weight},${height}`;
      }),
    ];
    writeFileSync(join(folder, 'new.csv'), `${inputs.join('\n')}\n`);
    const done = predictWith(folder, 'animals', join(folder, 'new.csv'), '--top', '1');
    expect(done.code, done.err).toBe(0);
    const [, ...predicted] = parseRows(done.out);
    expect(predicted).toHaveLength(90);
    const right = predicted.filter((p, i) => p[1] === rows[i + 1].split(',')[3]).length;
    // The engine's own evaluation of the same weights on the same rows.
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.open({
      doc,
      data: { kind: 'files', files: [{ path: 'animals.csv', bytes: readFileSync(join(folder, 'animals.csv')) }] },
      checkpoint: new Uint8Array(readFileSync(join(folder, 'animals.ckpt'))),
    });
    const engine = await api.evaluate({
      data: { kind: 'files', files: [{ path: 'animals.csv', bytes: readFileSync(join(folder, 'animals.csv')) }] },
    });
    await api.close();
    expect(right / 90).toBeCloseTo(engine.accuracy!, 10);
    expect(engine.accuracy).toBeGreaterThan(0.5);
    // The training file itself, which holds its labels: scored as a test set is, each row's class beside it.
    const scored = predictWith(folder, 'animals', join(folder, 'animals.csv'), '--top', '1');
    expect(scored.code, scored.err).toBe(0);
    const [scoredHeader, ...scoredRows] = parseRows(scored.out);
    expect(scoredHeader).toEqual(['input', 'true_class', 'class1', 'p1']);
    expect(scoredRows.map((r) => r[0])).toEqual(rows.slice(1).map((_, i) => `animals.csv:${i + 2}`));
    expect(scoredRows.map((r) => r[1])).toEqual(rows.slice(1).map((r) => r.split(',')[3]));
    expect(scoredRows.map((r) => r[2])).toEqual(predicted.map((p) => p[1]));
    const said = scored.err.match(/scored against their labels: loss ([\d.]+), accuracy ([\d.]+)%/);
    expect(said, scored.err).not.toBeNull();
    expect(Number(said![1])).toBeCloseTo(engine.loss, 3);
    expect(Number(said![2])).toBeCloseTo(100 * engine.accuracy!, 1);
    // A label the training set never had: refused by its line, as a test set's would be.
    writeFileSync(join(folder, 'stranger.csv'), `${rows[0]}\n${rows[1]}\n3,4,5,huge\n`);
    const stranger = predictWith(folder, 'animals', join(folder, 'stranger.csv'));
    expect(stranger.code).toBe(2);
    expect(stranger.err).toMatch(
      /stranger\.csv line 3, column "kind": "huge" is not one of the training set's 3 classes/,
    );
    // A column the network reads is missing: refused by name.
    writeFileSync(join(folder, 'short.csv'), 'colour,height\n1,2\n');
    const refused = predictWith(folder, 'animals', join(folder, 'short.csv'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/short\.csv line 1: no column "weight", which the network reads/);
  });

  it('answers a classifier trained with mean squared error against its classes with its classes, as the app does', async () => {
    const folder = join(dir, 'table-mse');
    mkdirSync(folder);
    const rows = ['height,weight,kind'];
    for (let i = 0; i < 60; i++)
      rows.push(`${(i % 3) * 10 + (i % 7)},${(i % 3) * 100 + (i % 11) * 3},${['small', 'medium', 'large'][i % 3]}`);
    writeFileSync(join(folder, 'animals.csv'), `${rows.join('\n')}\n`);
    const parsed = parseGraphText(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    if (!parsed.ok) throw new Error('spiral does not load');
    const doc = parsed.document;
    doc.training = {
      ...doc.training,
      dataset: { source: 'csv', path: 'animals.csv', labelColumn: 'kind', normalise: 'z-score' },
      loss: { kind: 'mse' },
      validation: { split: 0 },
      epochs: 5,
    };
    writeFileSync(join(folder, 'animals.json'), JSON.stringify(doc));
    const trained = runCli('train', join(folder, 'animals.json'));
    expect(trained.code, trained.err).toBe(0);
    const scored = predictWith(folder, 'animals', join(folder, 'animals.csv'), '--top', '1');
    expect(scored.code, scored.err).toBe(0);
    // Each row's true class by name (where the values' columns read other rows' labels), its class, and
    // the class's output clamped to [0, 1]: as the app's Try panel answers it.
    const [header, ...answers] = parseRows(scored.out);
    expect(header).toEqual(['input', 'true_class', 'class1', 'p1']);
    expect(answers.map((r) => r[1])).toEqual(rows.slice(1).map((r) => r.split(',')[2]));
    expect(answers.every((r) => ['small', 'medium', 'large'].includes(r[2]))).toBe(true);
    expect(answers.every((r) => Number(r[3]) >= 0 && Number(r[3]) <= 1)).toBe(true);
    // Its classes are the evaluation's: the share right is the accuracy it is scored with.
    const right = answers.filter((r) => r[1] === r[2]).length;
    const said = scored.err.match(/accuracy ([\d.]+)%/);
    expect(said, scored.err).not.toBeNull();
    expect((100 * right) / 60).toBeCloseTo(Number(said![1]), 1);
  });

  it('trains on several target columns (--label a,b) and writes the values predicted under their names', async () => {
    const folder = join(dir, 'two-targets');
    mkdirSync(folder);
    const rows = ['a,sum,b,difference'];
    for (let i = 0; i < 80; i++) {
      const [a, b] = [(i % 9) / 4 - 1, (i % 7) / 3 - 1];
      rows.push(`${a},${(a + b).toFixed(4)},${b},${(a - b).toFixed(4)}`);
    }
    writeFileSync(join(folder, 'pairs.csv'), `${rows.join('\n')}\n`);
    const parsed = parseGraphText(readFileSync(join(samplesDir, 'regression.json'), 'utf8'));
    if (!parsed.ok) throw new Error('the regression sample does not load');
    const doc = parsed.document;
    const last = doc.nodes.filter((n) => n.kind === 'dense').at(-1)!;
    last.params = { ...last.params, units: 2 } as typeof last.params;
    doc.training = {
      ...doc.training,
      dataset: { source: 'csv', path: 'pairs.csv', labelColumn: ['sum', 'difference'], normalise: 'none' },
      epochs: 60,
    };
    writeFileSync(join(folder, 'pairs.json'), JSON.stringify(doc));
    const csv = join(folder, 'pairs.csv');
    // Trained on the file named here, z-scored (the default), where the graph's settings say "none": new rows
    // are scaled as the run's report says, which the checkpoint's checksum ties to it.
    const trained = runCli('train', join(folder, 'pairs.json'), '--data', csv, '--label', 'sum,difference');
    expect(trained.code, trained.err).toBe(0);
    const report = JSON.parse(readFileSync(join(folder, 'pairs.report.json'), 'utf8'));
    expect(report.data.settings).toMatchObject({ labelColumn: ['sum', 'difference'], normalise: 'z-score' });
    expect(report.data.scaling.columns).toEqual(['a', 'b']);
    expect(report.data.outputNames).toEqual(['sum', 'difference']);
    // One target named: the network's two outputs against one value a sample, refused before training.
    const one = runCli('train', join(folder, 'pairs.json'), '--data', csv, '--label', 'sum', '--features', 'a,b');
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/compares node "\w+" \[2\] with targets of 1 values/);
    writeFileSync(join(folder, 'new.csv'), 'b,a\n0.5,0.25\n-0.5,0.75\n');
    const predictNew = () => predictWith(folder, 'pairs', join(folder, 'new.csv'));
    const done = predictNew();
    expect(done.code, done.err).toBe(0);
    const [header, ...predicted] = parseRows(done.out);
    expect(header).toEqual(['input', 'sum', 'difference']);
    // Learnt well enough to read: a + b and a − b within 0.2.
    for (const [i, [a, b]] of [
      [0.25, 0.5],
      [0.75, -0.5],
    ].entries()) {
      expect(Math.abs(Number(predicted[i][1]) - (a + b))).toBeLessThan(0.2);
      expect(Math.abs(Number(predicted[i][2]) - (a - b))).toBeLessThan(0.2);
    }
    // The training file, which holds both targets: each output's true value after the outputs, and the loss.
    const scored = predictWith(folder, 'pairs', csv);
    expect(scored.code, scored.err).toBe(0);
    const [scoredHeader, ...scoredRows] = parseRows(scored.out);
    expect(scoredHeader).toEqual(['input', 'sum', 'difference', 'true_sum', 'true_difference']);
    expect(scoredRows).toHaveLength(80);
    scoredRows.forEach((r, i) => {
      const [, sum, , difference] = rows[i + 1].split(',');
      expect([Number(r[3]), Number(r[4])]).toEqual([Number(sum), Number(difference)]);
    });
    const squared = scoredRows.flatMap((r) =>
      [Number(r[1]) - Number(r[3]), Number(r[2]) - Number(r[4])].map((d) => d * d),
    );
    const loss = Number(scored.err.match(/scored against their labels: loss ([\d.]+)\n/)?.[1]);
    // The loss printed is the mean squared error of the values written (to their 7 digits).
    expect(loss).toBeCloseTo(squared.reduce((a, b) => a + b, 0) / squared.length, 4);
    expect(loss).toBeLessThan(0.02);
    // A report whose scaling is broken is refused by its name and the field, before any input is read.
    report.data.scaling.scale = [1];
    writeFileSync(join(folder, 'pairs.report.json'), JSON.stringify(report));
    const tampered = predictNew();
    expect(tampered.code).toBe(2);
    expect(tampered.err).toMatch(
      /pairs\.report\.json: data\.scaling: a column, offset and scale each for every feature column/,
    );
  });
});
