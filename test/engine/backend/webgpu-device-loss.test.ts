import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPage } from '../../helpers/browser-gpu/test-page';
import { HANG_MS } from '../../helpers/hang-guard';

/**
 * A training session on WebGPU (Chromium, SwiftShader) whose device is destroyed mid-run: the session
 * goes on on a new device from its last checkpoint, and says why.
 */
// The work here is fixed (two sessions of 40 steps, each compiling every pipeline on SwiftShader, ~20 s
// quiet); the limits only catch a hang.
let opened: Awaited<ReturnType<typeof openTestPage>>;
beforeAll(async () => {
  opened = await openTestPage('session-page.ts');
  await opened.page.waitForFunction(() => 'deviceLoss' in window, undefined, { polling: 50 });
}, HANG_MS);
afterAll(() => opened?.close());

/** Runs the page's scenario (see session-page.ts) and returns what it saw, as plain data. */
async function lose(gpuComesBack: boolean) {
  return opened.page.evaluate(async (comesBack) => {
    const run = (window as unknown as { deviceLoss: (c: boolean) => Promise<unknown> }).deviceLoss;
    return JSON.parse(JSON.stringify(await run(comesBack)));
  }, gpuComesBack);
}

describe('losing the GPU device mid-training', () => {
  it('moves the session to a new device from its last checkpoint, losing at most the steps since it', async () => {
    const result = await lose(true);
    expect(result.backend.id).toBe('webgpu');
    expect(result.first).toEqual({ end: 'steps', step: 40 });
    // One move, to a second device, from the checkpoint taken at the end of the first run (step 40).
    expect(result.moved).toHaveLength(1);
    expect(result.moved[0].step).toBe(40);
    expect(result.devicesAfter - result.devicesBefore).toBe(1);
    expect(result.moved[0].info.backend.id).toBe('webgpu');
    expect(result.moved[0].reason).toMatch(/GPU device was lost .*goes on on a new GPU device from step 40/);
    expect(result.second.step).toBeGreaterThan(40);
    expect(result.lastLoss).toBeLessThan(result.firstLoss);
    expect(result.released).toBe('destroyed');
    expect(opened.pageErrors).toEqual([]);
  });

  it('moves to the CPU when no GPU answers after the loss', async () => {
    const result = await lose(false);
    expect(result.moved).toHaveLength(1);
    expect(result.moved[0].step).toBe(40);
    expect(result.moved[0].info.backend.id).toBe('cpu');
    expect(result.moved[0].info.backend.reason).toMatch(/the GPU was lost .* did not come back/);
    expect(result.moved[0].reason).toMatch(/goes on on the CPU from step 40/);
    expect(result.second.step).toBeGreaterThan(40);
    expect(opened.pageErrors).toEqual([]);
  });
});
