/**
 * Run in a child Node process with a small heap (see data-traps.test.ts): a CSV text of more short rows
 * than the reader's limit. Without an argument, rows of numbers read as training data and as inputs to
 * predict; with `names`, rows whose labels are class names longer than a string V8 copies (each cell is
 * then a string of its own that points into the text), read as training data. Each reader should refuse the
 * file at the limit having held little more than the text; printing each refusal, one per line.
 */
import { parseCsv } from '../../engine/data/csv';
import { csvInputs } from '../../engine/data/csv-inputs';

const refusal = (read: () => unknown) => {
  try {
    read();
    return 'read';
  } catch (error) {
    return (error as Error).message;
  }
};
if (process.argv[2] === 'names') {
  const text = `x,kind\n${'1,a_long_class_name_one\n2,a_long_class_name_two\n'.repeat(2_500_005)}`;
  console.log(refusal(() => parseCsv(text, 'names.csv', { labelColumn: 'kind', normalise: 'none' })));
} else {
  const text = `a,b,c,y\n${'1,2,3,0\n'.repeat(5_000_010)}`;
  console.log(refusal(() => parseCsv(text, 'rows.csv', { labelColumn: 'y', normalise: 'none' })));
  console.log(
    refusal(() => csvInputs(text, 'rows.csv', { columns: ['a', 'b', 'c'], offset: [0, 0, 0], scale: [1, 1, 1] })),
  );
}
