import { EngineError } from '../errors';
import { csvHead, type FeatureScaling, MAX_ROWS, parseCsv, readNumbers } from './csv';
import { quote } from './csv-cells';
import { eachCsvRow } from './csv-rows';
import type { DataReading, Dataset } from './dataset';

/**
 * Rows of a CSV file for a network trained on a CSV dataset, and, where the file holds every column the
 * training set's labels came from, the same rows as a set to score the network on (its targets read as
 * the training set's were: its classes by name, values as values). A file without them is inputs only.
 */
export function csvRows(
  text: string,
  file: string,
  trained: DataReading & { scaling: FeatureScaling },
  labelColumns: readonly string[] = [],
): { x: Float32Array; lines: number[]; labelled?: Dataset } {
  const head = labelColumns.length > 0 ? csvHead(text, file, false) : undefined;
  if (head && 'columns' in head && labelColumns.every((c) => head.columns.includes(c))) {
    const labelled = parseCsv(text, file, {
      labelColumn: labelColumns.length === 1 ? labelColumns[0] : labelColumns,
      normalise: 'none',
      like: trained,
    });
    return { x: labelled.x, lines: Array.from(labelled.source?.numbers ?? []), labelled };
  }
  return csvInputs(text, file, trained.scaling);
}

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
