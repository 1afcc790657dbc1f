import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../chromium';
import { HANG_MS } from '../hang-guard';

/**
 * Bundles a page script of this folder (esbuild), serves it on localhost (WebGPU needs a secure context)
 * and opens it in Chromium with WebGPU on SwiftShader; errors the page throws are collected.
 */
export async function openTestPage(
  entry: string,
  query = '',
): Promise<{ page: Page; pageErrors: string[]; close(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, entry)],
    bundle: true,
    format: 'esm',
    write: false,
    target: 'chrome120',
  });
  const script = bundle.outputFiles[0].text;
  const server = createServer((request, response) => {
    const js = request.url === '/page.js';
    response.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    response.end(js ? script : '<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  page.setDefaultTimeout(HANG_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/${query}`);
  return {
    page,
    pageErrors,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
