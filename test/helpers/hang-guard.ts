/**
 * How long any one wait in the tests may last before it counts as a hang: a test's whole run, a hook, one
 * `expect.poll`, one Playwright action. Tests are bounded by their work (a step reached, a state shown), and
 * this limit only ends a test that would otherwise never finish. It is generous because the same work takes
 * several times longer on a busy two-core machine (Chromium's software GPU compiling shaders most of all),
 * and a limit near the quiet machine's time fails there without anything being wrong.
 */
export const HANG_MS = 300_000;
