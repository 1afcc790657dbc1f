/**
 * The README's screenshot: npm run screenshot [-- --out docs/screenshot.png]
 * Builds the web app, opens it in Chromium at 1280 x 800 (as the page tests do), loads the spiral sample,
 * trains it to the end, and saves the window: the layers with their live statistics, the run chart, the
 * decision boundary, the settings and the run history. Type-checked with the tests (tsconfig.test.json).
 */

import { parseArgs } from 'node:util';
import { openApp } from '../test/e2e/browser';
import { buildWebApp, waitFor } from './bench-web';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? 'docs/screenshot.png';

buildWebApp();
const app = await openApp();
try {
  const page = await app.newPage();
  await page.goto(app.url);
  await page.getByTestId('sample-picker').selectOption('spiral.json');
  await waitFor(async () => (await page.getByTestId('graph-status').textContent()) === 'ready to train');
  await page.getByTestId('train').click();
  await waitFor(async () => (await page.getByTestId('training-bar').getAttribute('data-state')) === 'finished');
  // The decision boundary and the evaluation arrive after the run ends.
  await waitFor(async () => (await page.getByTestId('decision-boundary').count()) > 0);
  await waitFor(async () => (await page.getByTestId('evaluation-accuracy').count()) > 0);
  // Click the canvas's background so that no layer is selected (the inspector shows the training settings).
  await page.locator('.react-flow__pane').click({ position: { x: 600, y: 60 } });
  await page.screenshot({ path: out });
  console.log(`${out}: ${await page.getByTestId('training-progress').textContent()}`);
} finally {
  await app.close();
}
