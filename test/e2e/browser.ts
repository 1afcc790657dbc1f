import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { chromiumLaunchOptions } from '../helpers/chromium';
import { HANG_MS } from '../helpers/hang-guard';
import { PHASE_MARK } from './main-thread-trace';

export const artifactsDir = join(import.meta.dirname, '../../test-artifacts');

export interface AppSession {
  browser: Browser;
  url: string;
  /** Console errors and CSP violations seen so far, across pages. */
  errors: string[];
  /** Console errors of one page. */
  errorsOf(page: Page): string[];
  newPage(init?: () => void): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Serves the web build (dist-web) on localhost (WebGPU needs a secure context) and opens Chromium with
 * WebGPU on SwiftShader; Playwright gives the browser a fresh profile of its own.
 */
export async function openApp(): Promise<AppSession> {
  mkdirSync(artifactsDir, { recursive: true });
  const server: PreviewServer = await preview({
    configFile: join(import.meta.dirname, '../../vite.web.config.ts'),
    preview: { port: 0, host: 'localhost', strictPort: false },
    logLevel: 'error',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server did not report a URL');
  const browser = await chromium.launch(chromiumLaunchOptions());
  const errors: string[] = [];
  const perPage = new WeakMap<Page, string[]>();
  return {
    browser,
    url,
    errors,
    errorsOf: (page) => perPage.get(page) ?? [],
    async newPage(init) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      page.setDefaultTimeout(HANG_MS);
      if (init) await page.addInitScript(init);
      const own: string[] = [];
      perPage.set(page, own);
      const record = (text: string) => {
        errors.push(text);
        own.push(text);
      };
      page.on('console', (message) => {
        if (message.type() === 'error') record(message.text());
      });
      page.on('pageerror', (error) => record(error.message));
      await page.goto(url);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Open… as a user does it: the toolbar's button, then the file in the chooser. */
export async function openFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('cmd-open').click();
  await (await chooser).setFiles(file);
}

/** Save As through the browser's download fallback (no File System Access API); returns the saved path. */
export async function saveAsDownload(page: Page, name: string): Promise<string> {
  await page.evaluate(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  const download = page.waitForEvent('download');
  await page.getByTestId('cmd-save-as').click();
  const saved = join(artifactsDir, name);
  await (await download).saveAs(saved);
  return saved;
}

/** Step and loss as the training bar shows them (0 and NaN before the first step). */
export async function readProgress(page: Page): Promise<{ step: number; loss: number }> {
  const text = (await page.getByTestId('training-progress').textContent()) ?? '';
  return {
    step: Number((/step ([\d,]+)/.exec(text)?.[1] ?? '0').replaceAll(',', '')),
    loss: Number(/loss (\d+\.\d+)/.exec(text)?.[1] ?? 'NaN'),
  };
}

/**
 * Makes the page's CPU `rate` times slower (the DevTools protocol's throttling holds the main thread back,
 * so each task's CPU time is `rate` times its work), once the pointer has been over the page as a user's
 * would have (its first events there cost the most, once). Returns what puts the page back to full speed.
 */
export async function slowDown(page: Page, rate: number): Promise<() => Promise<void>> {
  // Playwright's own script in the page (where it reads an element's box) is set up on its first use: a
  // 100 ms task at 4x that is not the page's work. Set up here, at full speed.
  await page.getByTestId('train').boundingBox();
  await page.getByTestId('train').hover();
  await page.mouse.move(600, 400, { steps: 4 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return async () => {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  };
}

/**
 * Clicks a control as a person does: the pointer moves onto it, then the button goes down and comes up a
 * tenth of a second later, each input on its own. Playwright's `click` sends the move, press and release
 * together (the page handled them in one task) after checking in the page itself that the control is the
 * one hit (4 to 9 ms of the page's thread under the 4x throttle, counted as the page's): right for most
 * tests, wrong for one that measures the page's tasks.
 */
export async function clickAsPerson(page: Page, control: Locator): Promise<void> {
  await control.waitFor({ state: 'visible' });
  if (!(await control.isEnabled())) throw new Error('clickAsPerson: the control is disabled');
  const box = await control.boundingBox();
  if (!box) throw new Error('clickAsPerson: the control has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.down();
  await page.waitForTimeout(100);
  await page.mouse.up();
}

/**
 * Starts a named phase of the test (what the user does next), marked on the page's timeline:
 * traceMainThread reports each task with its phase.
 */
export async function phase(page: Page, name: string): Promise<void> {
  await page.evaluate(([name, prefix]) => performance.mark(`${prefix}${name}`), [name, PHASE_MARK]);
}
