/**
 * A histogram's bars as one SVG path (`M x,y v h h w v -h z` per bar): one element to create and to update
 * per frame, where a `<rect>` per bin made the first telemetry frame build hundreds of nodes at once.
 * Bars stand on the bottom edge of a `width` × `height` box; `gap` is the space right of each bar.
 */
export function histogramPath(bins: readonly number[], width: number, height: number, gap: number): string {
  const top = Math.max(...bins, 1);
  const step = width / Math.max(bins.length, 1);
  const parts: string[] = [];
  for (let i = 0; i < bins.length; i++) {
    const h = (height * bins[i]) / top;
    if (h <= 0) continue;
    const x = i * step;
    parts.push(`M${round(x)} ${height}v${round(-h)}h${round(step - gap)}v${round(h)}z`);
  }
  return parts.join('');
}

const round = (v: number) => Math.round(v * 100) / 100;
