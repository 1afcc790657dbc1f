import { describe, expect, it } from 'vitest';
import { keepUnchanged } from '../../renderer/canvas/keep-unchanged';

const node = (id: string, x: number, problems: string[] = []) => ({ id, position: { x, y: 0 }, data: { problems } });

describe('keepUnchanged: the canvas keeps the objects of layers an edit did not change', () => {
  it('returns the previous list itself when nothing changed, though every object is new', () => {
    const before = [node('a', 0), node('b', 10, ['too small'])];
    const after = [node('a', 0), node('b', 10, ['too small'])];
    expect(keepUnchanged(before, after)).toBe(before);
  });

  it('keeps the unchanged items and takes the changed one', () => {
    const before = [node('a', 0), node('b', 10), node('c', 20)];
    const after = [node('a', 0), node('b', 15), node('c', 20, ['shape'])];
    const kept = keepUnchanged(before, after);
    expect(kept).not.toBe(before);
    expect(kept[0]).toBe(before[0]);
    expect(kept[1]).toBe(after[1]);
    expect(kept[2]).toBe(after[2]);
  });

  it('follows the new order, additions and removals', () => {
    const before = [node('a', 0), node('b', 10)];
    const reordered = keepUnchanged(before, [node('b', 10), node('a', 0)]);
    expect(reordered).not.toBe(before);
    expect(reordered.map((n) => n.id)).toEqual(['b', 'a']);
    expect(reordered[0]).toBe(before[1]);
    const removed = keepUnchanged(before, [node('a', 0)]);
    expect(removed).toEqual([before[0]]);
    expect(removed[0]).toBe(before[0]);
    const added = keepUnchanged(before, [node('a', 0), node('b', 10), node('c', 0)]);
    expect(added[0]).toBe(before[0]);
    expect(added[1]).toBe(before[1]);
    expect(added).toHaveLength(3);
  });
});
