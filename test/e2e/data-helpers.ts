import type { Page } from 'playwright-core';

/* Steps the page tests of data files share. */

export const nodeCount = (page: Page) => page.locator('.react-flow__node').count();

/** Picks "Your files" in the dataset list and answers the file chooser with `files` (a path, or paths). */
export async function pickDataset(page: Page, choice: 'csv' | 'idx' | 'images', files: string | string[]) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('dataset-choice').selectOption(choice);
  await (await chooser).setFiles(files);
}

/** Two interleaved classes in the plane, as a CSV file with a header and a categorical label. */
export function twoClassCsv(rows: number): string {
  const lines = ['x,y,side'];
  for (let i = 0; i < rows; i++) {
    const x = Math.sin(i * 12.9898) * 2;
    const y = Math.cos(i * 78.233) * 2;
    lines.push(`${x.toFixed(4)},${y.toFixed(4)},${x + y > 0 ? 'upper' : 'lower'}`);
  }
  return `${lines.join('\n')}\n`;
}
