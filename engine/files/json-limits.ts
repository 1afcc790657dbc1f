/** What a JSON text from a file may hold before it is parsed: its nesting and its count of values. */
export interface JsonLimits {
  /** Brackets open at once. */
  depth: number;
  /** Values and keys (counted by the commas and opening brackets between them). */
  values: number;
}

/**
 * Why a JSON text is refused before JSON.parse makes anything of it, or undefined: a linear scan that
 * skips strings. JSON.parse makes an object or array of two bytes of text (12 MB of `{},` took 270 MB and
 * a second; an object of 7 million keys in a 60 MB header took 2.6 GB and half a minute), and deep
 * nesting makes it slow. No valid file of ours comes near either limit.
 */
export function jsonTooLarge(text: string, limits: JsonLimits): string | undefined {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.depth) return `nested deeper than ${limits.depth} levels at character ${i}`;
      if (++values > limits.values) return `more than ${limits.values} values (at character ${i})`;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && ++values > limits.values) return `more than ${limits.values} values (at character ${i})`;
  }
  return undefined;
}
