import type { Predictions } from './predict';

const cell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

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
 * (input,class1,p1,class2,p2,…; one yes/no output as its two classes), other networks' outputs
 * (input,y0,y1,…). The same text from the command
 * line (npm run predict) and the app's Try panel.
 */
export function predictionsCsv(result: Predictions, names: readonly string[], top = 3): string {
  const label = (c: number) => result.classNames?.[c] ?? String(c);
  const count = names.length;
  const lines: string[] = [];
  if (result.kind === 'probabilities') {
    const k = Math.min(top, Math.max(result.width, 2));
    lines.push(['input', ...Array.from({ length: k }, (_, i) => [`class${i + 1}`, `p${i + 1}`]).flat()].join(','));
    for (let r = 0; r < count; r++) {
      const order = classShares(result, r)!
        .map((p, c) => [p, c] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k);
      lines.push([cell(names[r]), ...order.flatMap(([p, c]) => [cell(label(c)), p.toFixed(6)])].join(','));
    }
  } else {
    lines.push(['input', ...Array.from({ length: result.width }, (_, i) => `y${i}`)].join(','));
    for (let r = 0; r < count; r++)
      lines.push(
        [
          cell(names[r]),
          ...Array.from(result.outputs.subarray(r * result.width, (r + 1) * result.width), (v) => v.toPrecision(7)),
        ].join(','),
      );
  }
  return `${lines.join('\n')}\n`;
}
