import Papa from 'papaparse';
import { EngineError } from '../errors';

/**
 * Each row of CSV text, with the line it starts on (from 1; a quoted cell may span lines), as the parser
 * reads it: no table of the whole file is ever held, so a file's rows cost only what the caller keeps of
 * them (a table of strings costs some thirty times the text: 1.4 GB for a 48 MB file of short rows). Blank
 * lines are passed over; a malformed quote is refused by its line.
 */
export function eachCsvRow(text: string, file: string, visit: (row: string[], line: number) => void): void {
  const body = text.replace(/^\uFEFF/, '');
  let line = 1;
  let consumed = 0;
  Papa.parse<string[]>(body, {
    // Papa's own guess of the delimiter, and its fast mode, split the whole text into lines first.
    delimiter: csvDelimiter(body),
    fastMode: false,
    step: (results, handle) => {
      const serious = results.errors.find((e) => e.type !== 'Delimiter');
      if (serious) {
        handle.abort();
        throw new EngineError('INVALID_DATA', `${file} line ${line}: ${serious.message}`);
      }
      // Lines are counted through the text the parser has consumed.
      const at = line;
      const cursor = results.meta.cursor;
      for (let i = body.indexOf('\n', consumed); i >= 0 && i < cursor; i = body.indexOf('\n', i + 1)) line++;
      consumed = cursor;
      const row = results.data;
      if (row.length === 1 && row[0].trim() === '') return; // A blank line.
      visit(row, at);
    },
  });
}

/** The text's delimiter (comma, tab, semicolon…), as Papa guesses it from the first rows only. */
export function csvDelimiter(text: string): string {
  return Papa.parse<string[]>(text.slice(0, GUESS_CHARS), { delimiter: '', preview: 10 }).meta.delimiter;
}

const GUESS_CHARS = 64 * 1024;
