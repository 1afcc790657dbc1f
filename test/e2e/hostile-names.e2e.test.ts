import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../helpers/samples';
import { type AppSession, openApp } from './browser';

/**
 * Node ids are the user's strings: ids that are names of JavaScript built-ins ("__proto__", "constructor",
 * "toString"...) must be ordinary ids everywhere in the page (analysis, canvas, telemetry, inspector).
 */
let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
});

const builtinIds = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** The spiral sample with every node renamed to a built-in's name. */
function spiralWithBuiltinIds(): Buffer {
  const doc = JSON.parse(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
  const rename = new Map<string, string>(doc.nodes.map((n: { id: string }, i: number) => [n.id, builtinIds[i]]));
  for (const n of doc.nodes) n.id = rename.get(n.id);
  for (const e of doc.edges) {
    e.source = rename.get(e.source);
    e.target = rename.get(e.target);
    e.id = `${e.source}->${e.target}`.replace('>', '');
  }
  doc.training.epochs = 3;
  return Buffer.from(JSON.stringify(doc));
}

describe('ids that are JavaScript built-ins', () => {
  it('open, show their shapes, train with live statistics on every layer, and inspect', async () => {
    const page = await app.newPage();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('cmd-open').click();
    await (await chooser).setFiles({
      name: 'builtins.json',
      mimeType: 'application/json',
      buffer: spiralWithBuiltinIds(),
    });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Each layer shows its own analysis (the 2-D input and the 3 class scores), not another's or nothing.
    await expect.poll(() => page.locator('.react-flow__edge-text').allTextContents()).toContain('2');
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    // Every layer's own statistics arrived (the badge is there, empty, from the start of the run).
    for (const id of builtinIds.slice(1))
      await expect.poll(() => page.getByTestId(`telemetry-${id}`).getAttribute('data-health')).toBe('healthy');
    await page.locator('.react-flow__node[data-id="constructor"]').click();
    await expect.poll(() => page.locator('.inspector').textContent()).toMatch(/constructor/);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
