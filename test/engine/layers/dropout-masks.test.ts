import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { emptyDocument, loadGraph } from '../../../engine/graph';
import { planTraining } from '../../../engine/train/plan';
import { buildSession } from '../../../engine/train/session';

/** Two Dropout layers side by side on the same input, joined by a Concat: their outputs are their masks. */
function twinDropouts(rate: number, width: number) {
  const base = emptyDocument();
  const at = { x: 0, y: 0 };
  const loaded = loadGraph({
    ...base,
    nodes: [
      { id: 'input', kind: 'input', params: { shape: [width] }, position: at },
      { id: 'left', kind: 'dropout', params: { rate }, position: at },
      { id: 'right', kind: 'dropout', params: { rate }, position: at },
      { id: 'join', kind: 'concat', params: { inputs: 2 }, position: at },
      { id: 'out', kind: 'dense', params: { units: 2 }, position: at },
    ],
    edges: [
      { id: 'e1', source: 'input', target: 'left' },
      { id: 'e2', source: 'input', target: 'right' },
      { id: 'e3', source: 'left', target: 'join', targetPort: 'in0' },
      { id: 'e4', source: 'right', target: 'join', targetPort: 'in1' },
      { id: 'e5', source: 'join', target: 'out' },
    ],
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.document;
}

describe('dropout masks', () => {
  it('are independent between two layers of the same size (agreement near 1 − 2p(1 − p))', async () => {
    const width = 4096;
    for (const rate of [0.3, 0.5]) {
      const doc = twinDropouts(rate, width);
      const session = buildSession(createCpuBackend('f64'), planTraining(doc), doc.training, 1, 'tensor');
      const be = session.be;
      be.write(session.input, new Float64Array(width).fill(1));
      session.forward(1, 'train', 3);
      const node = (id: string) => session.nodes.find((n) => n.id === id)!;
      const left = await be.read(node('left').y);
      const right = await be.read(node('right').y);
      const kept = (m: Float64Array, i: number) => m[i] !== 0;
      let agree = 0;
      let leftKept = 0;
      for (let i = 0; i < width; i++) {
        if (kept(left, i) === kept(right, i)) agree++;
        if (kept(left, i)) leftKept++;
      }
      // Each mask drops about `rate` of the units; with a shared mask they would agree everywhere.
      const sd = Math.sqrt((rate * (1 - rate)) / width);
      expect(Math.abs(1 - leftKept / width - rate)).toBeLessThan(5 * sd);
      const expected = 1 - 2 * rate * (1 - rate);
      expect(Math.abs(agree / width - expected), `rate ${rate}: agreement ${agree / width}`).toBeLessThan(0.05);
    }
  });
});
