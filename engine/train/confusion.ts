/** Figures read from a confusion matrix: a classifier's per class, or a yes/no label's (its 2 × 2 matrix). */

export interface ClassFigures {
  precision: number;
  recall: number;
  f1: number;
  /** Samples of the class in the set. */
  support: number;
}

/**
 * Precision (of the samples predicted as the class, the share that are), recall (of the samples of the
 * class, the share found) and their harmonic mean F1, from a confusion matrix (rows true, columns predicted).
 */
export function classFigures(confusion: number[][]): ClassFigures[] {
  return confusion.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[c], 0);
    const precision = predicted > 0 ? row[c] / predicted : Number.NaN;
    const recall = support > 0 ? row[c] / support : Number.NaN;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : Number.NaN;
    return { precision, recall, f1, support };
  });
}

/** The off-diagonal cells of a confusion matrix, largest first (at most `count`, none empty). */
export function mostConfused(confusion: number[][], count = 5) {
  return confusion
    .flatMap((row, label) => row.map((n, predicted) => ({ label, predicted, count: n })))
    .filter((cell) => cell.label !== cell.predicted && cell.count > 0)
    .sort((a, b) => b.count - a.count || a.label - b.label || a.predicted - b.predicted)
    .slice(0, count);
}
