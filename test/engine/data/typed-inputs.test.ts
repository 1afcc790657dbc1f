import { describe, expect, it } from 'vitest';
import { MAX_TYPED_CHARS, MAX_TYPED_INPUTS, typedInputs } from '../../../engine/data/typed-inputs';

describe('inputs typed one a line', () => {
  it('reads numbers apart by commas, semicolons or spaces, skipping blank lines and # comments', () => {
    const { x, names } = typedInputs('# x1, x2\n0.5, -1\n\n  3e-1;2  \r\n-.25 +7\n', 2);
    expect(Array.from(x)).toEqual([0.5, -1, Math.fround(0.3), 2, -0.25, 7]);
    expect(names).toEqual(['line 2: 0.5, -1', 'line 4: 3e-1;2', 'line 5: -.25 +7']);
  });

  it('names a long line by its start', () => {
    const line = Array.from({ length: 20 }, (_, i) => String(i)).join(', ');
    expect(typedInputs(line, 20).names[0]).toBe(`line 1: ${line.slice(0, 40)}…`);
  });

  it('refuses a line of another count, a word, hex, infinity and a float32 overflow, by line and value', () => {
    expect(() => typedInputs('1, 2\n1, 2, 3', 2)).toThrow('line 2: more than 2 values, and the Input takes 2');
    expect(() => typedInputs(`1 ${'2 '.repeat(4_000_000)}`, 2)).toThrow('line 1: more than 2 values');
    expect(() => typedInputs('1', 2)).toThrow('line 1: 1 value, and the Input takes 2');
    expect(() => typedInputs('1, two', 2)).toThrow('line 1, value 2: "two" is not a number');
    expect(() => typedInputs('0x1F 1', 2)).toThrow('line 1, value 1: "0x1F" is not a number');
    expect(() => typedInputs('Infinity 1', 2)).toThrow('line 1, value 1: "Infinity" is not a number');
    expect(() => typedInputs('1 NaN', 2)).toThrow('line 1, value 2: "NaN" is not a number');
    expect(() => typedInputs('1e39 1', 2)).toThrow("line 1, value 1: 1e39 is beyond float32's range");
    expect(() => typedInputs('\n# only a comment\n', 3)).toThrow('no inputs: write one a line, 3 numbers each');
  });

  it('bounds what a text may ask for before allocating: inputs, characters, values by the text itself', () => {
    expect(() => typedInputs('1\n'.repeat(MAX_TYPED_INPUTS + 1), 1)).toThrow(
      `more than ${MAX_TYPED_INPUTS} inputs: try them a part at a time`,
    );
    expect(typedInputs('1\n'.repeat(MAX_TYPED_INPUTS), 1).x.length).toBe(MAX_TYPED_INPUTS);
    expect(() => typedInputs(' '.repeat(MAX_TYPED_CHARS + 1), 1)).toThrow('over the limit of');
    // An Input of 150,528 values and 10,000 short lines: refused by the first line's count, nothing allocated
    // for the 1.5 billion values the lines would take at the Input's size.
    expect(() => typedInputs('1\n'.repeat(MAX_TYPED_INPUTS), 3 * 224 * 224)).toThrow(
      'line 1: 1 value, and the Input takes 150528',
    );
  });
});
