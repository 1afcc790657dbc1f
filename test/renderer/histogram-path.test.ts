import { describe, expect, it } from 'vitest';
import { histogramPath } from '../../renderer/charts/histogram-path';

/** The bars a path draws, read back: [x, bottom, height, width] of each `M x y v -h h w v h z`. */
function bars(path: string): number[][] {
  return [...path.matchAll(/M([\d.]+) ([\d.]+)v(-[\d.]+)h([\d.]+)v([\d.]+)z/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
    -Number(m[3]),
    Number(m[4]),
  ]);
}

describe('a histogram as one path', () => {
  it('draws one bar per non-empty bin, the tallest filling the box, standing on its bottom edge', () => {
    const drawn = bars(histogramPath([2, 0, 4, 1], 40, 20, 1));
    expect(drawn).toEqual([
      [0, 20, 10, 9],
      [20, 20, 20, 9],
      [30, 20, 5, 9],
    ]);
  });

  it('draws nothing for empty bins and keeps small counts below the box (a top of at least one)', () => {
    expect(histogramPath([0, 0, 0], 30, 10, 0)).toBe('');
    expect(bars(histogramPath([0.5], 10, 10, 0))).toEqual([[0, 10, 5, 10]]);
  });
});
