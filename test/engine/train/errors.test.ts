import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { barsData, xorData } from '../../../engine/data/synthetic';
import type { EngineError } from '../../../engine/errors';
import { Trainer } from '../../../engine/train/trainer';
import { chain, tinyMlp } from '../../helpers/graphs';

function caught(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected an error');
}

async function caughtAsync(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected an error');
}

const mlp = tinyMlp;

describe('bad input stops cleanly and names the node', () => {
  it('a shape mismatch names the layer and both shapes', () => {
    const doc = chain([1, 8, 8], [['dense', { units: 4 }]]);
    const error = caught(() => new Trainer(doc, createCpuBackend(), barsData(4, 8, 0, 1)));
    expect(error).toMatchObject({ code: 'SHAPE_MISMATCH', nodeId: 'n1' });
    expect(error.message).toMatch(/node "n1" \(dense\).*\[1, 8, 8\]/);
  });

  it('a loss that does not fit the output names the output node', () => {
    const doc = chain([2], [['dense', { units: 1 }]]);
    const error = caught(() => new Trainer(doc, createCpuBackend(), xorData()));
    expect(error).toMatchObject({ code: 'LOSS_MISMATCH', nodeId: 'n1' });
    expect(error.message).toMatch(
      /^node "n1" \(dense\): Softmax cross-entropy cannot read this output: needs a vector of at least 2 class scores, got \[1\]/,
    );
  });

  it('more classes than output scores is refused', () => {
    const data: Dataset = { ...xorData(), classes: 3 };
    const error = caught(() => new Trainer(chain([2], [['dense', { units: 2 }]]), createCpuBackend(), data));
    expect(error).toMatchObject({ code: 'LOSS_MISMATCH' });
  });

  it('data with NaN or a label out of range names the sample', () => {
    const nan = xorData();
    nan.x[5] = Number.NaN;
    expect(caught(() => new Trainer(mlp(), createCpuBackend(), nan)).message).toMatch(
      /sample 2 has a non-finite input value/,
    );
    const label = xorData();
    label.targets[3] = 7;
    const bad = { ...label, classes: undefined };
    expect(caught(() => new Trainer(mlp(), createCpuBackend(), bad)).message).toMatch(
      /sample 3 has label 7, but node "n3" scores only 2 classes/,
    );
  });

  it('samples of the wrong shape are refused', () => {
    const error = caught(() => new Trainer(mlp(), createCpuBackend(), barsData(4, 4, 0, 1)));
    expect(error).toMatchObject({ code: 'INVALID_DATA', nodeId: 'input' });
  });

  it('an unconnected input and a cycle are named', () => {
    const doc = mlp();
    doc.edges = doc.edges.filter((e) => e.target !== 'n2');
    expect(caught(() => new Trainer(doc, createCpuBackend(), xorData()))).toMatchObject({ code: 'INVALID_GRAPH' });
    const cyclic = mlp();
    cyclic.edges.push({ id: 'back', source: 'n2', sourcePort: 'out', target: 'n1', targetPort: 'in' });
    cyclic.edges = cyclic.edges.filter((e) => e.id !== 'e0');
    expect(caught(() => new Trainer(cyclic, createCpuBackend(), xorData())).message).toMatch(/cycle/);
  });

  it('a non-finite activation stops training, names the node, and keeps the last good weights', async () => {
    const data = xorData(4);
    const be = createCpuBackend();
    const trainer = new Trainer(mlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 4 }), be, data);
    await trainer.runSteps(2);
    const before = await trainer.be.read(trainer.session.flat.params);
    // Values near the float32 limit overflow in the first dense layer's sums (loaded as weights are).
    trainer.restore({
      ...(await trainer.checkpoint()),
      params: new Float32Array(trainer.session.paramCount).fill(3e38),
    });
    const good = await trainer.be.read(trainer.session.flat.params);
    const error = await caughtAsync(() => trainer.runSteps(1));
    expect(error).toMatchObject({ code: 'NON_FINITE', nodeId: 'n1' });
    expect(error.message).toMatch(/step 3: the loss is NaN; node "n1" is the first to output/);
    expect(await trainer.be.read(trainer.session.flat.params)).toEqual(good);
    expect(trainer.step).toBe(2);
    expect(before).not.toEqual(good);
  });

  it('an update that overflows the weights is undone', async () => {
    const be = createCpuBackend();
    const trainer = new Trainer(mlp({ optimizer: { kind: 'momentum', lr: 10, momentum: 0.9 } }), be, xorData(4));
    // A velocity near the float32 limit: the next update overflows.
    trainer.be.write(trainer.session.flat.slot1, new Float32Array(trainer.session.paramCount).fill(3e38));
    const before = await trainer.be.read(trainer.session.flat.params);
    const error = await caughtAsync(() => trainer.runSteps(1));
    expect(error).toMatchObject({ code: 'NON_FINITE' });
    expect(error.message).toMatch(/made the weights overflow/);
    expect(await trainer.be.read(trainer.session.flat.params)).toEqual(before);
  });
});

describe('a backend with a memory limit (one GPU buffer)', () => {
  it('refuses a session that cannot fit before allocating anything, naming the layer that needs most', () => {
    const be = Object.assign(Object.create(createCpuBackend()), { memoryLimitBytes: 8 * 1024 * 1024 });
    const doc = chain(
      [2],
      [
        ['dense', { units: 40_000 }],
        ['activation', { fn: 'relu' }],
        ['dense', { units: 2 }],
      ],
      { batchSize: 64, loss: { kind: 'softmax-cross-entropy' } },
    );
    const error = caught(() => new Trainer(doc, be, xorData(256)));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.nodeId).toBe('n1');
    expect(error.message).toMatch(
      /node "n1" needs 10 MB .* at batch 64; the session needs \d+ MB .* allows 8 MB in one buffer/,
    );
    expect(be.allocations).toBe(0);
    // The same network at a batch that fits is accepted.
    expect(() => new Trainer({ ...doc, training: { ...doc.training, batchSize: 4 } }, be, xorData(256))).not.toThrow();
  });
});

describe('memory planning', () => {
  /** A deferred CPU backend (as the GPU's) that records its reservation and every allocation. */
  function recording() {
    const cpu = createCpuBackend();
    const seen = { reserved: 0, reservedBeforeAlloc: false, allocated: 0, layerScratch: 0 };
    const be = Object.assign(Object.create(cpu), {
      deferredReads: true,
      reserve(floats: number) {
        seen.reserved = floats;
        seen.reservedBeforeAlloc = seen.allocated === 0;
      },
      alloc(size: number, label: string) {
        seen.allocated += size;
        // A layer's own working buffers are named after it, like its output (y) and gradient (dy).
        if (/^n\d+\./.test(label) && !/\.d?y$/.test(label)) seen.layerScratch += size;
        return cpu.alloc(size, label);
      },
    });
    return { be, seen };
  }

  it.each([
    [
      'an MLP',
      chain(
        [2],
        [
          ['dense', { units: 300 }],
          ['activation', { fn: 'relu' }],
          ['dense', { units: 2 }],
        ],
      ),
      xorData(64),
    ],
    [
      'a CNN with batch norm',
      chain(
        [1, 12, 12],
        [
          ['conv2d', { filters: 8, kernel: 3, padding: 'same' }],
          ['batchnorm'],
          ['activation', { fn: 'relu' }],
          ['maxpool2d', { size: 2 }],
          ['flatten'],
          ['dense', { units: 2 }],
        ],
        { dataset: { source: 'synthetic', generator: 'bars' } },
      ),
      barsData(200, 12, 0.1, 3),
    ],
  ])('a backend is asked to reserve, before anything is allocated, what %s then allocates', (_, doc, data) => {
    const { be, seen } = recording();
    new Trainer({ ...doc, training: { ...doc.training, batchSize: 32 } }, be, data);
    expect(seen.reservedBeforeAlloc).toBe(true);
    // All but layers' own scratch and a few single values (the loss, the step log...) was planned.
    const unplanned = seen.allocated - seen.reserved;
    expect(unplanned).toBeGreaterThanOrEqual(seen.layerScratch);
    expect(unplanned - seen.layerScratch).toBeLessThan(0.01 * seen.allocated);
  });
});
