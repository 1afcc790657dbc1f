import { EngineError } from '../errors';
import { type FeatureScaling, MAX_ROWS, quote, readNumbers } from './csv';
import { eachCsvRow } from './csv-rows';

/**
 * Rows of a CSV file with a header as inputs for a network trained on a CSV dataset: the same feature
 * columns (by name, in any order; a label column may be there or not), scaled by the training set's
 * scaling. Read a row at a time into the inputs, whose memory grows with the rows (never a table of the
 * file's strings); every refusal names the file, the line and the column.
 */
export function csvInputs(
  text: string,
  file: string,
  scaling: FeatureScaling,
): { x: Float32Array; count: number; lines: number[] } {
  const fail = (where: string, why: string) => new EngineError('INVALID_DATA', `${file}${where}: ${why}`);
  const per = scaling.columns.length;
  let header: string[] | undefined;
  let at: number[] = [];
  let x = new Float32Array(0);
  const lines: number[] = [];
  eachCsvRow(text, file, (row, line) => {
    if (!header) {
      const names = row.map((c) => c.trim());
      at = scaling.columns.map((name) => {
        const i = names.indexOf(name);
        if (i < 0) throw fail(` line ${line}`, `no column ${quote(name)}, which the network reads`);
        return i;
      });
      header = names;
      return;
    }
    if (row.length !== header.length)
      throw fail(` line ${line}`, `${row.length} fields, the header has ${header.length}`);
    const r = lines.length;
    if (r === MAX_ROWS) throw fail(` line ${line}`, `more than the limit of ${MAX_ROWS} rows`);
    if ((r + 1) * per > x.length) {
      const bigger = new Float32Array(Math.max(1024, 2 * x.length));
      bigger.set(x);
      x = bigger;
    }
    readNumbers(row, at, x, r * per, (c, cell) =>
      fail(` line ${line}, column "${header![c]}"`, `${quote(cell)} is not a number`),
    );
    for (let j = 0; j < per; j++) x[r * per + j] = (x[r * per + j] - scaling.offset[j]) / scaling.scale[j];
    lines.push(line);
  });
  if (!header) throw fail('', 'the file is empty');
  const count = lines.length;
  if (count === 0) throw fail('', 'the file has no rows');
  return { x: x.slice(0, count * per), count, lines };
}
