import { describe, expect, it } from 'vitest';
import type { Predictions } from '../../../engine/train/predict';
import { classShares, predictionsCsv } from '../../../engine/train/predictions-csv';

const result = (over: Partial<Predictions>): Predictions => ({
  outputs: new Float32Array(),
  width: 1,
  kind: 'probabilities',
  ms: 0,
  ...over,
});

describe('predictions as the Try panel and npm run predict give them', () => {
  it("a classifier's top classes by name, the most probable first", () => {
    const softmax = result({
      outputs: Float32Array.of(0.1, 0.7, 0.2, 0.5, 0.25, 0.25),
      width: 3,
      classNames: ['a', 'b', 'c'],
    });
    expect(predictionsCsv(softmax, ['one', 'two, quoted'], 2)).toBe(
      'input,class1,p1,class2,p2\none,b,0.700000,c,0.200000\n"two, quoted",a,0.500000,b,0.250000\n',
    );
  });

  it('one yes/no output as its two classes: p for class 1, 1 − p for class 0', () => {
    const sigmoid = result({ outputs: Float32Array.of(0.75, 0.125), width: 1, classNames: ['lower', 'upper'] });
    expect(classShares(sigmoid, 0)).toEqual([0.25, 0.75]);
    expect(predictionsCsv(sigmoid, ['p', 'q'])).toBe(
      'input,class1,p1,class2,p2\np,upper,0.750000,lower,0.250000\nq,lower,0.875000,upper,0.125000\n',
    );
  });

  it("a regression's values, no classes", () => {
    const values = result({ outputs: Float32Array.of(1.5, -2), width: 2, kind: 'values' });
    expect(classShares(values, 0)).toBeNull();
    expect(predictionsCsv(values, ['line 1: 0 0'])).toBe('input,y0,y1\nline 1: 0 0,1.500000,-2.000000\n');
  });
});
