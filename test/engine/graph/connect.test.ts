import { describe, expect, it } from 'vitest';
import { inferShapes, wireProblem } from '../../../engine/graph';
import { chain } from '../../helpers/graphs';

/** Input [1, 28, 28] → Conv2D → Flatten → Dense, plus an LSTM and a spare Dense lying around unwired. */
function doc() {
  const base = chain([1, 28, 28], [['conv2d', { filters: 4, kernel: 3 }], ['flatten'], ['dense', { units: 8 }]]);
  const spare = [
    { id: 'lstm', kind: 'lstm', params: { units: 4 }, position: { x: 0, y: 0 } },
    { id: 'dense2', kind: 'dense', params: { units: 3 }, position: { x: 0, y: 0 } },
    { id: 'bn', kind: 'batchnorm', params: {}, position: { x: 0, y: 0 } },
  ];
  return { ...base, nodes: [...base.nodes, ...(spare as typeof base.nodes)] };
}

describe('which wires the editor accepts', () => {
  const d = doc();
  const shapes = inferShapes(d);
  const problem = (source: string, target: string, targetPort = 'in') =>
    wireProblem(d, shapes, { source, target, targetPort });

  it('accepts a wire whose tensor is the kind the port takes', () => {
    expect(problem('n3', 'dense2')).toBeNull();
    expect(problem('input', 'bn')).toBeNull();
    expect(problem('n2', 'bn')).toBeNull();
  });

  it('refuses a tensor of the wrong kind, naming both ends', () => {
    expect(problem('input', 'dense2')).toBe('Dense takes a vector [D] (add a Flatten first); Input gives [1, 28, 28]');
    expect(problem('n2', 'lstm')).toBe('LSTM takes a sequence [T, D]; Flatten gives [2704]');
  });

  it('refuses a layer feeding itself and wires that close a loop', () => {
    expect(problem('n2', 'n2')).toBe('Flatten cannot feed itself');
    expect(problem('n3', 'n1')).not.toBeNull();
    // Dense (n3) is fed by Conv2D (n1): wiring n3 back into n1 closes a loop even where shapes would fit.
    const loop = wireProblem(d, new Map(), { source: 'n3', target: 'n1', targetPort: 'in' });
    expect(loop).toBe('this wire would close a loop: Conv2D (n1) already feeds Dense (n3)');
  });

  it('lets a wire replace the one on its port without counting it as a loop', () => {
    // n1 feeds n2 through port "in"; rewiring n2's input from n1 to the Input is fine.
    expect(problem('input', 'n2')).toBeNull();
  });

  it('allows a wire whose source shape is not known yet', () => {
    expect(problem('lstm', 'dense2')).toBeNull();
  });
});
