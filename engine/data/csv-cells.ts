/**
 * A number as people write them in data files: decimal, with an optional sign, point and exponent.
 * `Number()` alone would also take "0x1F" (31), "0b11", "Infinity" and "" (0). A run of digits matches one
 * way only, so the test is linear in the text's length: `\d+\.?\d*` would try every split of a long run
 * of digits before failing on what follows it (15 s of CPU for a 100,000-digit cell ending in a letter).
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
export const isDecimalText = (text: string): boolean => DECIMAL.test(text);
export function parseDecimal(cell: string): number {
  return isDecimalText(cell) ? Number(cell) : Number.NaN;
}

/** A cell as quoted in a message: cut to a length a terminal line can hold. */
export function quote(cell: string): string {
  return cell.length > 60 ? `"${cell.slice(0, 60)}…" (${cell.length} characters)` : `"${cell}"`;
}
