import { describe, expect, it } from 'vitest';
import { emptyDocument, loadGraph } from '../../../engine/graph';
import { gradientWriters } from '../../../engine/train/gradient-writers';
import { planTraining } from '../../../engine/train/plan';
import { chain } from '../../helpers/graphs';

/** A graph from [id, kind, params] nodes and [source, target, port] wires. */
function graph(nodes: [string, string, Record<string, unknown>][], wires: [string, string, string][]) {
  const base = emptyDocument();
  const result = loadGraph({
    ...base,
    nodes: nodes.map(([id, kind, params], i) => ({ id, kind, params, position: { x: 0, y: 80 * i } })),
    edges: wires.map(([source, target, targetPort], i) => ({
      id: `e${i}`,
      source,
      sourcePort: 'out',
      target,
      targetPort,
    })),
    training: { ...base.training, dataset: { source: 'synthetic', generator: 'xor' } },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.document;
}

const sorted = (set: Set<string>) => [...set].sort();

describe('which gradients one layer writes outright', () => {
  it('a LeNet-5 chain: every one, through Flatten', () => {
    const doc = chain(
      [1, 12, 12],
      [
        ['conv2d', { filters: 2, kernel: 3 }],
        ['activation', { fn: 'relu' }],
        ['maxpool2d', { size: 2 }],
        ['conv2d', { filters: 3, kernel: 3 }],
        ['activation', { fn: 'relu' }],
        ['maxpool2d', { size: 2 }],
        ['flatten'],
        ['dense', { units: 4 }],
        ['activation', { fn: 'relu' }],
        ['dense', { units: 2 }],
      ],
    );
    const { outright, zeroed } = gradientWriters(planTraining(doc));
    // The dense layer after Flatten writes the second pooling's buffer, which Flatten relabels.
    expect(sorted(outright)).toEqual(['n10:0', 'n2:0', 'n3:0', 'n4:0', 'n5:0', 'n6:0', 'n8:0', 'n9:0']);
    // (The loss seeds the output's, n10's; the first convolution's input is data.)
    expect(sorted(zeroed)).toEqual([]);
  });

  it('a gradient two layers add into is zeroed, and neither writes it outright', () => {
    const doc = graph(
      [
        ['input', 'input', { shape: [2] }],
        ['d1', 'dense', { units: 3 }],
        ['r1', 'activation', { fn: 'tanh' }],
        ['d2', 'dense', { units: 3 }],
        ['add', 'add', { inputs: 2 }],
        ['out', 'dense', { units: 2 }],
      ],
      [
        ['input', 'd1', 'in'],
        ['d1', 'r1', 'in'],
        ['r1', 'd2', 'in'],
        ['r1', 'add', 'in0'],
        ['d2', 'add', 'in1'],
        ['add', 'out', 'in'],
      ],
    );
    const { outright, zeroed } = gradientWriters(planTraining(doc));
    expect(sorted(outright)).toEqual(['add:1', 'out:0', 'r1:0']);
    expect(sorted(zeroed)).toEqual(['r1']);
  });

  it('one layer reading a tensor on two ports adds both: zeroed', () => {
    const doc = graph(
      [
        ['input', 'input', { shape: [2] }],
        ['d1', 'dense', { units: 3 }],
        ['twice', 'add', { inputs: 2 }],
        ['out', 'dense', { units: 2 }],
      ],
      [
        ['input', 'd1', 'in'],
        ['d1', 'twice', 'in0'],
        ['d1', 'twice', 'in1'],
        ['twice', 'out', 'in'],
      ],
    );
    const { outright, zeroed } = gradientWriters(planTraining(doc));
    expect(sorted(outright)).toEqual(['out:0']);
    expect(sorted(zeroed)).toEqual(['d1']);
  });

  it('a recurrent chain, and a sequence flattened into a dense layer', () => {
    const doc = chain(
      [5, 3],
      [
        ['lstm', { units: 4, returnSequences: true }],
        ['rnn', { units: 3, returnSequences: true }],
        ['flatten'],
        ['dense', { units: 2 }],
      ],
    );
    const { outright, zeroed } = gradientWriters(planTraining(doc));
    expect(sorted(outright)).toEqual(['n2:0', 'n4:0']);
    expect(sorted(zeroed)).toEqual([]);
  });
});
