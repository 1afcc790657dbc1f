import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { chromiumLaunchOptions } from '../helpers/chromium';
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

interface LongTaskLog {
  longTasks: { at: number; ms: number }[];
  phases: { name: string; at: number }[];
}

/** Init script: records every long task (main thread blocked over 50 ms) with when it began. */
export function recordLongTasks(): void {
  const w = window as unknown as LongTaskLog;
  w.longTasks = [];
  w.phases = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) w.longTasks.push({ at: entry.startTime, ms: Math.round(entry.duration) });
  }).observe({ type: 'longtask', buffered: false });
}

/**
 * Starts a named phase of the test (what the user does next): long tasks are reported by phase. The phase
 * is also marked on the page's timeline, for traceMainThread.
 */
export async function phase(page: Page, name: string): Promise<void> {
  await page.evaluate(
    ([name, prefix]) => {
      (window as unknown as Partial<LongTaskLog>).phases?.push({ name, at: performance.now() });
      performance.mark(`${prefix}${name}`);
    },
    [name, PHASE_MARK],
  );
}

/** The long tasks since the first phase: each with its phase and how long after the phase began. */
export async function longTasks(page: Page): Promise<{ ms: number; phase: string; after: number }[]> {
  return page.evaluate(() => {
    const { longTasks, phases } = window as unknown as LongTaskLog;
    const start = phases[0]?.at ?? 0;
    return longTasks
      .filter((t) => t.at >= start)
      .map((t) => {
        const p = phases.filter((x) => x.at <= t.at).at(-1) ?? phases[0];
        return { ms: t.ms, phase: p.name, after: Math.round(t.at - p.at) };
      });
  });
}
