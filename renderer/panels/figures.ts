/** Numbers as the evaluation and the charts show them. */

/** A figure in four significant digits, "–" where it is not a number. */
export const figure = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : '–');

/** A share as a percentage to a tenth, "–" where it is not a number (a class never predicted). */
export const percent = (v: number) => (Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)}%`);
