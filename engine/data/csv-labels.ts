import type { EngineError } from '../errors';
import { parseDecimal, quote } from './csv-cells';
import type { Dataset } from './dataset';
import { MAX_CLASSES } from './idx';

/** How one label column is read: as the options say, or decided from all its labels ('auto'). */
export type LabelMode = 'auto' | 'classes' | 'values' | 'indices';

type Targets = Pick<Dataset, 'targetKind' | 'targets' | 'classes' | 'classNames'>;

/** A label as it is cited in a refusal: its line in the file and its text. */
interface Cited {
  line: number;
  text: string;
}

/**
 * One label column read as its rows arrive. Each row keeps 6 bytes, taken from the dataset's budget: the
 * label as a number (NaN when it is not one) and its place among the distinct labels seen (while there are at
 * most MAX_CLASSES of them), never its text, which a file of millions of rows would hold as millions of
 * strings beyond any budget. At the end the column is read as values, class indices, or classes by their
 * sorted names, as the mode says or, in 'auto', as its labels decide: names if any label is not a number,
 * indices if all are whole numbers from 0, values otherwise. A label that cannot be read the mode's way is
 * refused at its row; in 'auto', at the end, by the first such row.
 */
export class LabelColumn {
  private numbers = new Float32Array(0);
  private ids = new Uint16Array(0);
  /** The distinct labels in the order first seen; dropped past MAX_CLASSES (then no set of classes can hold them). */
  private seen: Map<string, number> | undefined = new Map();
  private count = 0;
  private firstNotNumber: Cited | undefined;
  private firstNotIndex: Cited | undefined;
  private firstPastLimit: Cited | undefined;
  /** The training set's classes by name (a lookup a row, where a search would cost a pass over them). */
  private readonly knownIds: Map<string, number> | undefined;

  /** `known`: the training set's class names, each label's class by its name (a test set read like it). */
  constructor(
    private readonly mode: LabelMode,
    private readonly known: readonly string[] | undefined,
    private readonly refuse: (line: number, why: string) => EngineError,
    private readonly grow: <T extends Float32Array | Uint16Array>(array: T, length: number) => T,
  ) {
    this.knownIds = known && new Map(known.map((name, i) => [name, i]));
  }

  add(text: string, line: number): void {
    const r = this.count;
    if (r >= this.numbers.length) {
      const length = Math.max(1024, 2 * this.numbers.length);
      this.numbers = this.grow(this.numbers, length);
      if (this.seen && !this.known && this.mode !== 'values' && this.mode !== 'indices')
        this.ids = this.grow(this.ids, length);
    }
    this.count++;
    if (this.known) {
      this.addKnown(text, line, r);
      return;
    }
    const value = parseDecimal(text);
    this.numbers[r] = value;
    if (!Number.isFinite(value)) {
      if (this.mode === 'values' || this.mode === 'indices') throw this.refuse(line, notRead(this.mode, text));
      this.firstNotNumber ??= { line, text };
    } else if (!(Number.isInteger(value) && value >= 0)) {
      if (this.mode === 'indices') throw this.refuse(line, notRead('indices', text));
      this.firstNotIndex ??= { line, text };
    } else if (value >= MAX_CLASSES) {
      if (this.mode === 'indices') throw this.refuse(line, pastLimit(text));
      this.firstPastLimit ??= { line, text };
    }
    if (this.mode === 'values' || this.mode === 'indices') return;
    this.addName(text, line, r);
  }

  private addKnown(text: string, line: number, r: number): void {
    const known = this.known!;
    const c = this.knownIds!.get(text);
    if (c === undefined)
      throw this.refuse(
        line,
        `${quote(text)} is not one of the training set's ${known.length} classes (${known.slice(0, 10).map(quote).join(', ')}${known.length > 10 ? ', …' : ''})`,
      );
    this.numbers[r] = c;
  }

  /** The label's place among the distinct labels, while a set of classes could still hold them all. */
  private addName(text: string, line: number, r: number): void {
    if (!this.seen) {
      if (this.firstNotNumber) throw this.refuse(line, tooMany());
      return;
    }
    let id = this.seen.get(text);
    if (id === undefined) {
      id = this.seen.size;
      if (id === MAX_CLASSES) {
        // No set of classes can hold these labels: refused now if they must be classes, else they are numbers.
        if (this.mode === 'classes' || this.firstNotNumber) throw this.refuse(line, tooMany());
        this.seen = undefined;
        this.ids = new Uint16Array(0);
        return;
      }
      this.seen.set(text, id);
    }
    this.ids[r] = id;
  }

  /** The column's targets, read as the mode or its labels say. */
  finish(): Targets {
    const count = this.count;
    const numbers = this.numbers.length === count ? this.numbers : this.numbers.slice(0, count);
    if (this.known)
      return { targetKind: 'class', targets: numbers, classes: this.known.length, classNames: [...this.known] };
    if (this.mode === 'values' || (this.mode === 'auto' && !this.firstNotNumber && this.firstNotIndex))
      return { targetKind: 'tensor', targets: numbers };
    if (this.mode === 'indices' || (this.mode === 'auto' && !this.firstNotNumber)) {
      const past = this.firstPastLimit;
      if (past) throw this.refuse(past.line, pastLimit(past.text));
      return { targetKind: 'class', targets: numbers, classes: numbers.reduce((m, v) => Math.max(m, v + 1), 0) };
    }
    // Classes by name, sorted: each row's place among the labels first seen becomes its name's rank.
    const seen = this.seen!;
    const classNames = [...seen.keys()].sort();
    const rank = new Uint32Array(seen.size);
    classNames.forEach((name, i) => {
      rank[seen.get(name)!] = i;
    });
    for (let r = 0; r < count; r++) numbers[r] = rank[this.ids[r]];
    this.ids = new Uint16Array(0);
    return { targetKind: 'class', targets: numbers, classes: classNames.length, classNames };
  }
}

function notRead(mode: 'values' | 'indices', text: string): string {
  return mode === 'values'
    ? `${quote(text)} is not a number`
    : `${quote(text)} is not a class index (the training set's labels are whole numbers from 0)`;
}

const pastLimit = (text: string) =>
  `label ${text} is past the limit of ${MAX_CLASSES} classes (labels are class indices from 0)`;

const tooMany = () => `more than ${MAX_CLASSES} different labels, the limit of classes`;
