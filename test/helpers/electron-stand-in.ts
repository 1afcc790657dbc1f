// Stands in for Electron's executable when testing `npm start` and `npm run preview` on machines without it
// (ELECTRON_OVERRIDE_DIST_PATH points at a folder whose `electron` runs this). It records how it was
// launched and, like the app's main process, shows the renderer: the development server's page opened in
// Chromium under the Content-Security-Policy main sets in development, reporting whether the canvas came up.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { contentSecurityPolicy, devNonceVariable } from '../../main/security';
import { chromiumLaunchOptions } from './chromium';
import { HANG_MS } from './hang-guard';

/** What the stand-in records of one launch (read back by test/e2e/start-commands.e2e.test.ts). */
export interface Launch {
  argv: string[];
  cwd: string;
  entry: string | null;
  entryExists: boolean;
  rendererUrl: string | null;
  rendered: boolean | null;
  pageErrors: string[];
}

async function showRenderer(url: string): Promise<{ rendered: boolean; pageErrors: string[] }> {
  const options = chromiumLaunchOptions();
  // A document fulfilled by the route below counts as a public page to Chromium's local-network checks, which
  // then refuse the dev server's websocket; Electron loads the page directly and has no such check.
  const browser = await chromium.launch({
    ...options,
    args: [...(options.args ?? []), '--disable-features=LocalNetworkAccessChecks'],
  });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(HANG_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    // main/window.ts sets this header on every response while developing.
    await page.route(url, async (route) => {
      const response = await route.fetch();
      const headers = {
        ...response.headers(),
        'content-security-policy': contentSecurityPolicy('dev', process.env[devNonceVariable]),
      };
      await route.fulfill({ response, headers });
    });
    await page.goto(url);
    const rendered = await page
      .waitForSelector('.react-flow')
      .then(() => true)
      .catch(() => false);
    return { rendered, pageErrors };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const entryArg = argv.find((arg) => !arg.startsWith('-')) ?? null;
  let entry: string | null = null;
  if (entryArg) {
    const target = resolve(entryArg);
    const packageFile = join(target, 'package.json');
    entry = existsSync(packageFile) ? join(target, JSON.parse(readFileSync(packageFile, 'utf8')).main) : target;
  }
  const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? null;
  const shown = rendererUrl ? await showRenderer(rendererUrl) : { rendered: null, pageErrors: [] };
  const launch: Launch = {
    argv,
    cwd: process.cwd(),
    entry,
    entryExists: entry !== null && existsSync(entry),
    rendererUrl,
    ...shown,
  };
  writeFileSync(process.env.NETLOOM_STAND_IN_LOG ?? 'electron-stand-in.json', JSON.stringify(launch, null, 2));
}

await main();
