import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { barsData } from '../../../engine/data/synthetic';
import type { GraphDocument } from '../../../engine/graph';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../../../engine/train/checkpoint';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** Batch norm (layer state) and Adam (two slots): every part of a checkpoint is present. */
const doc = (units = 2): GraphDocument =>
  chain(
    [1, 6, 6],
    [['flatten'], ['dense', { units: 5 }], ['batchnorm'], ['activation', { fn: 'relu' }], ['dense', { units }]],
    { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 8, epochs: 4, seed: 3 },
  );
const data = barsData(40, 6, 0.2, 5);

async function trained(steps: number): Promise<{ trainer: Trainer; cp: Checkpoint }> {
  const trainer = new Trainer(doc(), createCpuBackend(), data);
  await trainer.runSteps(steps);
  return { trainer, cp: await trainer.checkpoint() };
}

const decode = (bytes: Uint8Array) => () => decodeCheckpoint(bytes, 'run.ckpt');
/** A checkpoint changed after it was taken but written with a valid checksum: only the field checks stand. */
const tampered = (cp: Checkpoint, change: (c: Checkpoint) => unknown) => {
  const copy = structuredClone(cp);
  change(copy);
  return decode(encodeCheckpoint(copy));
};

describe('the checkpoint format', () => {
  it('round-trips every field, including an infinite best loss before the first epoch ends', async () => {
    const { cp } = await trained(2);
    expect(cp.progress.bestLoss).toBe(Number.POSITIVE_INFINITY);
    const back = decodeCheckpoint(encodeCheckpoint(cp), 'run.ckpt');
    expect(back.progress.bestLoss).toBe(Number.POSITIVE_INFINITY);
    expect(back.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(Array.from(back.params)).toEqual(Array.from(cp.params));
    expect(Object.keys(back.layerState).sort()).toEqual(Object.keys(cp.layerState).sort());
    const later = await trained(12);
    expect(decodeCheckpoint(encodeCheckpoint(later.cp)).history).toEqual(later.cp.history);
    expect(later.cp.history.length).toBe(2);
  });

  it('refuses any flipped bit by its checksum, naming the file', async () => {
    const bytes = encodeCheckpoint((await trained(3)).cp);
    // Bits in the header, the order, the weights and the last byte.
    for (const at of [20, 40, bytes.length >> 1, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[at] ^= 1 << (at % 8);
      expect(decode(flipped), `byte ${at}`).toThrow(
        /^run\.ckpt: the checkpoint is damaged: its checksum does not match/,
      );
    }
  });

  it('refuses what is not a checkpoint, an old version, and a cut file, by name', async () => {
    const bytes = encodeCheckpoint((await trained(1)).cp);
    expect(decode(new Uint8Array(8))).toThrow(/^run\.ckpt: not a Netloom checkpoint/);
    const old = bytes.slice();
    new DataView(old.buffer).setUint32(4, 1, true);
    expect(decode(old)).toThrow(/^run\.ckpt: checkpoint format version 1; this version of Netloom reads version 2/);
    expect(decode(bytes.subarray(0, bytes.length - 8))).toThrow(/^run\.ckpt: the checkpoint is damaged/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(8, 0xffff_fff0, true);
    expect(decode(huge)).toThrow(/^run\.ckpt: the header is cut short or too long/);
  });

  it('checks every field’s range and names it', async () => {
    const { cp } = await trained(3);
    expect(tampered(cp, (c) => (c.epoch = -1))).toThrow(/^run\.ckpt: field epoch: /);
    expect(tampered(cp, (c) => (c.step = 1.5))).toThrow(/^run\.ckpt: field step: /);
    expect(tampered(cp, (c) => (c.progress.epochLossSum = Number.NaN))).toThrow(/field progress\.epochLossSum: /);
    expect(tampered(cp, (c) => (c.random = [0, 0, 0, 0]))).toThrow(/field random: the generator state is all zero/);
    expect(tampered(cp, (c) => (c.params[4] = Number.NaN))).toThrow(/field params\[4\] is NaN, not a finite number/);
    expect(tampered(cp, (c) => (c.order[3] = 99))).toThrow(/field order\[3\] is 99, past the 40 samples/);
    expect(tampered(cp, (c) => (c.order[3] = c.order[2]))).toThrow(
      /field order\[3\] repeats sample \d+: the order is not a permutation/,
    );
    expect(tampered(cp, (c) => (c.slot1 = c.slot1.subarray(1)))).toThrow(
      /field slot1 holds \d+ values for \d+ parameters/,
    );
    expect(tampered(cp, (c) => (c.batchIndex = 41))).toThrow(/field batchIndex 41 is past the epoch's samples/);
    expect(tampered(cp, (c) => ((c as unknown as Record<string, unknown>).extra = 1))).toThrow(/field header: /);
  });

  it('restores only into the network and the data it belongs to, checking layer state and position', async () => {
    const { cp } = await trained(3);
    const other = new Trainer(doc(3), createCpuBackend(), data);
    expect(() => other.restore(cp, 'run.ckpt')).toThrow(/^run\.ckpt: it belongs to another network/);
    const fewer = new Trainer(doc(), createCpuBackend(), barsData(32, 6, 0.2, 5));
    expect(() => fewer.restore(cp, 'run.ckpt')).toThrow(/it was saved for 40 training samples; this dataset has 32/);
    const same = new Trainer(doc(), createCpuBackend(), data);
    const key = Object.keys(cp.layerState)[0];
    expect(() =>
      same.restore({ ...cp, layerState: { ...cp.layerState, [key]: new Float32Array(1) } }, 'run.ckpt'),
    ).toThrow(/field state:.* holds 1 values, not 5/);
    expect(() => same.restore({ ...cp, layerState: { 'ghost.mean': new Float32Array(5) } }, 'run.ckpt')).toThrow(
      /field state:ghost\.mean is not the state of a layer of this network/,
    );
    expect(() => same.restore({ ...cp, batchIndex: 6 }, 'run.ckpt')).toThrow(
      /batchIndex 6 is past the epoch's 5 batches/,
    );
    // A refused restore wrote nothing: the trainer still starts from step 0.
    expect(same.step).toBe(0);
    same.restore(cp, 'run.ckpt');
    expect(same.step).toBe(3);
  });
});
