import type { Predictions } from './predict';

const cell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * Predictions as CSV, one row per input: a classifier's top `top` classes with their probabilities
 * (input,class1,p1,class2,p2,…), other networks' outputs (input,y0,y1,…). The same text from the command
 * line (npm run predict) and the app's Try panel.
 */
export function predictionsCsv(result: Predictions, names: readonly string[], top = 3): string {
  const label = (c: number) => result.classNames?.[c] ?? String(c);
  const count = names.length;
  const lines: string[] = [];
  if (result.kind === 'probabilities' && result.width > 1) {
    const k = Math.min(top, result.width);
    lines.push(['input', ...Array.from({ length: k }, (_, i) => [`class${i + 1}`, `p${i + 1}`]).flat()].join(','));
    for (let r = 0; r < count; r++) {
      const row = Array.from(result.outputs.subarray(r * result.width, (r + 1) * result.width));
      const order = row
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
