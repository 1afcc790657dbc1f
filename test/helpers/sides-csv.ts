/**
 * Points of the plane as a CSV file (x,y,side), each labelled by its side of x + y = 4 ("high" or "low"),
 * spread around (3, 1) rather than 0: a file z-scored by its own statistics moves them across the line, so
 * tests of a test file read as the training file was tell the two readings apart. `keep` picks the sides.
 */
export function sidesCsv(count: number, seed: number, keep: (side: string) => boolean = () => true): string {
  const lines = ['x,y,side'];
  for (let i = 0; i < count; i++) {
    const [x, y] = [3 + 2 * Math.sin(i * 12.9898 + seed), 1 + 2 * Math.cos(i * 78.233 + seed)];
    const side = x + y > 4 ? 'high' : 'low';
    if (keep(side)) lines.push(`${x.toFixed(4)},${y.toFixed(4)},${side}`);
  }
  return `${lines.join('\n')}\n`;
}
