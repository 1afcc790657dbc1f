import type { Predictions } from './predict';

/** A CSV cell: quoted (its quotes doubled) where it holds a comma, a quote or a line break. */
export const csvCell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * Input r's probability per class, or null for outputs that are values. One yes/no output (sigmoid binary
 * cross-entropy) is two classes, as the evaluation counts them: p for class 1, 1 − p for class 0.
 */
export function classShares(result: Predictions, r: number): number[] | null {
  if (result.kind !== 'probabilities') return null;
  const row = Array.from(result.outputs.subarray(r * result.width, (r + 1) * result.width));
  return result.width === 1 ? [1 - row[0], row[0]] : row;
}

/**
 * Predictions as CSV, one row per input: a classifier's top `top` classes with their probabilities
 * (input,class1,p1,class2,p2,…; one yes/no output as its two classes), several yes/no labels' probabilities
 * and other networks' outputs a column each (named by the data's target columns, else p0,… or y0,…). The
 * same text from the command line (npm run predict) and the app's Try panel. With the inputs' own targets
 * (rows that hold their labels), each row also gives its true class (true_class, after the input) or its
 * true values (true_<output>, after the outputs).
 */
export function predictionsCsv(result: Predictions, names: readonly string[], top = 3, targets?: Float32Array): string {
  const label = (c: number) => result.classNames?.[c] ?? String(c);
  const count = names.length;
  const lines: string[] = [];
  if (result.kind === 'probabilities') {
    const k = Math.min(top, Math.max(result.width, 2));
    const truth = targets ? ['true_class'] : [];
    lines.push(
      ['input', ...truth, ...Array.from({ length: k }, (_, i) => [`class${i + 1}`, `p${i + 1}`]).flat()].join(','),
    );
    for (let r = 0; r < count; r++) {
      const order = classShares(result, r)!
        .map((p, c) => [p, c] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k);
      const given = targets ? [csvCell(label(targets[r]))] : [];
      lines.push(
        [csvCell(names[r]), ...given, ...order.flatMap(([p, c]) => [csvCell(label(c)), p.toFixed(6)])].join(','),
      );
    }
  } else {
    // Values, or several labels' probabilities: a column per output, by its name where the data gives one.
    const name = (o: number) => result.outputNames?.[o] ?? (result.kind === 'labels' ? `p${o}` : `y${o}`);
    const write = result.kind === 'labels' ? (v: number) => v.toFixed(6) : (v: number) => v.toPrecision(7);
    const outputs = Array.from({ length: result.width }, (_, o) => o);
    const truth = targets ? outputs.map((o) => csvCell(`true_${name(o)}`)) : [];
    lines.push(['input', ...outputs.map((o) => csvCell(name(o))), ...truth].join(','));
    const row = (values: Float32Array, r: number) =>
      Array.from(values.subarray(r * result.width, (r + 1) * result.width), write);
    for (let r = 0; r < count; r++)
      lines.push([csvCell(names[r]), ...row(result.outputs, r), ...(targets ? row(targets, r) : [])].join(','));
  }
  return `${lines.join('\n')}\n`;
}
