/**
 * Run in a child Node process with a small heap (see data-traps.test.ts): a CSV text of more short rows
 * than the reader's limit, read as training data and as inputs to predict. Each reader should refuse it at
 * the limit having held little more than the text; printing each refusal, one per line.
 */
import { parseCsv } from '../../engine/data/csv';
import { csvInputs } from '../../engine/data/csv-inputs';

const rows = 5_000_010;
const text = `a,b,c,y\n${'1,2,3,0\n'.repeat(rows)}`;
const refusal = (read: () => unknown) => {
  try {
    read();
    return 'read';
  } catch (error) {
    return (error as Error).message;
  }
};
console.log(refusal(() => parseCsv(text, 'rows.csv', { labelColumn: 'y', normalise: 'none' })));
console.log(
  refusal(() => csvInputs(text, 'rows.csv', { columns: ['a', 'b', 'c'], offset: [0, 0, 0], scale: [1, 1, 1] })),
);
