import type { Page } from 'playwright-core';

/** How many layers (and notes) the canvas shows. */
export const nodeCount = (page: Page) => page.locator('.react-flow__node').count();

/** Every layer's box on the screen, by id (as "x,y,width,height", rounded). */
export const layerBoxes = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.react-flow__node')].map((n) => {
        const r = n.getBoundingClientRect();
        return [n.getAttribute('data-id'), [r.left, r.top, r.width, r.height].map(Math.round).join(',')];
      }),
    ),
  );

/** Pairs of layers whose boxes overlap (one covering the other's ports and the wires' shapes between). */
export function overlapping(boxes: Record<string, string>): string[] {
  const list = Object.entries(boxes).map(([id, box]) => [id, ...box.split(',').map(Number)] as const);
  return list.flatMap(([a, ax, ay, aw, ah], i) =>
    list
      .slice(i + 1)
      .filter(([, bx, by, bw, bh]) => ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah)
      .map(([b]) => `${a} and ${b}`),
  );
}
