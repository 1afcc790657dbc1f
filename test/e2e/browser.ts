import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium, type Locator, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { chromiumLaunchOptions } from '../helpers/chromium';
import { HANG_MS } from '../helpers/hang-guard';
import { PHASE_MARK } from './main-thread-trace';

export const artifactsDir = join(import.meta.dirname, '../../test-artifacts');

/**
 * The pages the tests have open, with their console errors and a DevTools session whose debugger is on
 * (for the report on a failed test: a page that is stuck running a script answers nothing else).
 */
const openPages = new Map<Page, { errors: string[]; debug: Promise<Debugged | null> }>();
/** A page's DevTools session, with the address of each script it ran (a paused frame names only its id). */
interface Debugged {
  cdp: CDPSession;
  scripts: Map<string, string>;
}
/** Pages whose report found them stuck: not reported again by the next failures. */
const stuckPages = new WeakSet<Page>();
/**
 * Whether new pages get the debugger's session (report-on-failure.ts says; off where the page's timing is
 * measured, which the debugger's events could change).
 */
let withStacks = false;
export function takeStacksOfFailedPages(on: boolean): void {
  withStacks = on;
}

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
      await page.addInitScript(recordInput);
      if (init) await page.addInitScript(init);
      const own: string[] = [];
      perPage.set(page, own);
      openPages.set(page, { errors: own, debug: withStacks ? debuggerOn(page) : Promise.resolve(null) });
      page.on('close', () => openPages.delete(page));
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
 * Sets up what a measured test should not count as the page's work: Playwright's own script in the page
 * (where it reads an element's box, set up on its first use: a 25 ms task here, 100 ms at 4x) and the
 * pointer's first events over the page (they cost the most, once, as a user's would).
 */
export async function pointerOverPage(page: Page): Promise<void> {
  await page.getByTestId('train').boundingBox();
  await page.getByTestId('train').hover();
  await page.mouse.move(600, 400, { steps: 4 });
}

/**
 * Makes the page's CPU `rate` times slower with the DevTools protocol's throttling, once the pointer has
 * been over the page (pointerOverPage, at full speed). Returns what puts the page back to full speed.
 * Chromium throttles by interrupting the main thread every fraction of a millisecond and spinning in the
 * interrupt for (rate - 1) times the wall-clock time since the last one (thread_cpu_throttler.cc): any
 * time the thread spent waiting for a core is charged again as spinning, so under throttling a task's CPU
 * time grows with the machine's load. A benchmark's figure, not a test's.
 */
export async function slowDown(page: Page, rate: number): Promise<() => Promise<void>> {
  await pointerOverPage(page);
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

/** Settles within `ms`: the promise's value, or the reason it failed or did not settle. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer in ${ms / 1000} s`), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  } finally {
    clearTimeout(timer);
  }
}

/** A DevTools session on the page with its debugger on, taken while the page still answers. */
async function debuggerOn(page: Page): Promise<Debugged | null> {
  try {
    const cdp = await page.context().newCDPSession(page);
    const scripts = new Map<string, string>();
    cdp.on('Debugger.scriptParsed', ({ scriptId, url }) => scripts.set(scriptId, url.split('/').pop() ?? ''));
    await cdp.send('Debugger.enable');
    return { cdp, scripts };
  } catch {
    return null;
  }
}

/**
 * What each open page was doing when a test failed, for a failure that cannot be reproduced at will (a
 * test that hung on a busy machine): a screenshot, its console errors, and the JavaScript stack its main
 * thread was running, taken by pausing it through the DevTools protocol (which interrupts a script that
 * never yields). Every step is bounded, so a page that answers nothing still lets the next test run.
 */
export async function reportOpenPages(testName: string): Promise<string[]> {
  const stem = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  const reports: string[] = [];
  let index = 0;
  for (const [page, { errors, debug }] of openPages) {
    index++;
    if (stuckPages.has(page)) continue;
    const name = `failed-${stem}-${index}.png`;
    const shot = await within(10_000, page.screenshot({ path: join(artifactsDir, name), timeout: 10_000 }));
    if (typeof shot === 'string') stuckPages.add(page);
    const debugged = await debug;
    // Read before the main thread is paused: a pause asked of an idle page waits for its next script.
    const input = await within(5_000, lastInput(page));
    const lines = [
      `page ${index} of the failed test "${testName}": ${page.url()}`,
      `  screenshot: ${typeof shot === 'string' ? shot : `test-artifacts/${name}`}`,
      `  console errors: ${errors.length === 0 ? 'none' : errors.join(' | ')}`,
      `  main thread: ${debugged ? await within(15_000, mainThreadStack(debugged)) : 'not watched'}`,
      `  last input, oldest first:\n${input.startsWith('no answer') ? `    ${input}` : input}`,
    ];
    console.error(lines.join('\n'));
    reports.push(lines.join('\n'));
  }
  return reports;
}

/** The page's input log (recordInput) as lines, or why there is none. */
async function lastInput(page: Page): Promise<string> {
  const log = await page.evaluate(() => (window as { netloomInputLog?: string[] }).netloomInputLog).catch(() => null);
  return log?.length ? log.map((line) => `    ${line}`).join('\n') : '    none recorded';
}

/**
 * Runs in every test page before its scripts: keeps its last 40 key and pointer events (what each reached,
 * what had the focus, whether the page took a key), so that a keystroke or click lost once on a busy machine
 * says where it went in the failed test's report.
 */
function recordInput(): void {
  const log: string[] = [];
  (window as { netloomInputLog?: string[] }).netloomInputLog = log;
  const name = (target: EventTarget | null) =>
    target instanceof Element
      ? `${target.tagName.toLowerCase()}${target.id ? `#${target.id}` : ''}${typeof target.className === 'string' && target.className ? `.${target.className.trim().split(/\s+/).slice(0, 3).join('.')}` : ''}`
      : String(target);
  const note = (line: string) => {
    log.push(`${Math.round(performance.now())} ms ${line}`);
    if (log.length > 40) log.shift();
  };
  const describe = (event: Event) => {
    const key = event instanceof KeyboardEvent ? ` ${event.ctrlKey ? 'Ctrl+' : ''}${event.key}` : '';
    return `${event.type}${key} on ${name(event.target)}, focus on ${name(document.activeElement)}`;
  };
  for (const type of ['keydown', 'keyup', 'pointerdown', 'click', 'dblclick'])
    window.addEventListener(
      type,
      (event) => {
        note(describe(event));
        // Once every listener has had it: whether the page acted on the key.
        if (type === 'keydown')
          setTimeout(() => note(`  ${describe(event)}: ${event.defaultPrevented ? 'taken' : 'not taken'} by the page`));
      },
      true,
    );
}

/** The JavaScript stack the page's main thread is running (or that it runs none, between tasks). */
async function mainThreadStack({ cdp, scripts }: Debugged): Promise<string> {
  const paused = new Promise<string>((resolve) =>
    cdp.once('Debugger.paused', ({ callFrames }) =>
      resolve(
        callFrames
          .slice(0, 12)
          .map((f) => {
            const script = scripts.get(f.location.scriptId) || 'script';
            const where = `${script}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`;
            return `${f.functionName || '(anonymous)'} ${where}`;
          })
          .join(' < ') || 'paused with no frames',
      ),
    ),
  );
  try {
    await cdp.send('Debugger.pause');
    // A page between tasks pauses at its next script; an idle one runs none: say so rather than wait.
    const stack = await within(5_000, paused);
    if (!stack.startsWith('no answer')) return stack;
    // The pause still waits for the page's next script: turning the debugger off and on drops it.
    await cdp.send('Debugger.disable').catch(() => {});
    await cdp.send('Debugger.enable').catch(() => {});
    return 'idle (no script ran within 5 s of the pause)';
  } finally {
    await cdp.send('Debugger.resume').catch(() => {});
  }
}
