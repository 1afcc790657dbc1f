import { EngineError } from '../errors';
import { counted } from '../words';
import { isDecimalText } from './csv-cells';

/** Inputs typed at most at once: a page of answers, and a bound on what the text may ask to allocate. */
export const MAX_TYPED_INPUTS = 10_000;
/** Characters of typed text read at most (a paste of a whole file belongs in the dataset picker). */
export const MAX_TYPED_CHARS = 16 * 1024 * 1024;
/** Characters of a line kept in its input's name. */
const NAME_CHARS = 40;

/**
 * Inputs typed as text, one a line: `per` decimal numbers each, apart by commas, semicolons or spaces, in
 * the order the Input holds them (row-major). Blank lines and lines starting with # are skipped. Refused
 * with the line (and the value) at fault. Every line's count of values is checked before the inputs are
 * allocated, so what is allocated is no more than the text holds. Each input is named by its line:
 * "line 3: 0.5, -1".
 */
export function typedInputs(text: string, per: number): { x: Float32Array; names: string[] } {
  if (text.length > MAX_TYPED_CHARS)
    throw new EngineError(
      'INVALID_DATA',
      `${text.length} characters, over the limit of ${MAX_TYPED_CHARS} for typed inputs`,
    );
  // First the lines and their counts of values, none kept: a line of millions of numbers costs no array.
  const rows: { line: number; text: string }[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (rows.length === MAX_TYPED_INPUTS)
      throw new EngineError('INVALID_DATA', `more than ${MAX_TYPED_INPUTS} inputs: try them a part at a time`);
    const count = fieldsOf(line, per + 1).length;
    if (count !== per)
      throw new EngineError(
        'INVALID_DATA',
        `line ${i + 1}: ${count > per ? `more than ${per} values` : counted(count, 'value')}, and the Input takes ${per}`,
      );
    rows.push({ line: i + 1, text: line });
  }
  if (rows.length === 0)
    throw new EngineError('INVALID_DATA', `no inputs: write one a line, ${counted(per, 'number')} each`);
  const x = new Float32Array(rows.length * per);
  for (const [r, { line, text: t }] of rows.entries())
    for (const [j, field] of fieldsOf(t, per).entries()) {
      const where = `line ${line}, value ${j + 1}`;
      if (!isDecimalText(field))
        throw new EngineError('INVALID_DATA', `${where}: "${field.slice(0, 20)}" is not a number`);
      // A decimal text can still overflow float32 (1e39): refused, not fed in as the infinity it would become.
      const value = Math.fround(Number(field));
      if (!Number.isFinite(value))
        throw new EngineError('INVALID_DATA', `${where}: ${field.slice(0, 20)} is beyond float32's range`);
      x[r * per + j] = value;
    }
  const names = rows.map(
    ({ line, text: t }) => `line ${line}: ${t.length > NAME_CHARS ? `${t.slice(0, NAME_CHARS)}…` : t}`,
  );
  return { x, names };
}

/** A line's values (runs of characters between commas, semicolons and spaces), the first `most` of them. */
function fieldsOf(line: string, most: number): string[] {
  const fields: string[] = [];
  const value = /[^\s,;]+/g;
  for (let m = value.exec(line); m && fields.length < most; m = value.exec(line)) fields.push(m[0]);
  return fields;
}
