import equal from 'fast-deep-equal';

/**
 * The new list with every item that equals (deeply) the previous one of its id replaced by that previous
 * object, and the previous list itself when nothing changed. Any edit rebuilds the canvas's nodes and
 * wires from the document; React Flow re-renders, measures and re-wires a node whose object is new, so an
 * edit of one layer or of a training setting would otherwise redraw the whole canvas.
 */
export function keepUnchanged<T extends { id: string }>(previous: readonly T[], next: T[]): T[] {
  const before = new Map(previous.map((item) => [item.id, item]));
  let same = previous.length === next.length;
  const kept = next.map((item, i) => {
    const old = before.get(item.id);
    if (old !== undefined && equal(old, item)) {
      if (previous[i] !== old) same = false;
      return old;
    }
    same = false;
    return item;
  });
  return same ? (previous as T[]) : kept;
}
