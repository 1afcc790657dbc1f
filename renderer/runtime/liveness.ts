/**
 * Whether the engine worker still lives, judged from the page. A worker answers nothing while it computes a
 * step (one synchronous computation), so a long step (a large batch on a busy machine) looks like silence
 * to a plain ping timeout, and replacing such a worker loses its work and any pause sent to it. Here every
 * message from the worker counts as a sign of life, and the silence allowed grows with the longest gap
 * already seen between two signs: a worker whose steps took 3 s is not presumed dead after 5. Until its
 * first step has been seen, the silence allowed is the first step's (compiling, a first large batch).
 */
export class Liveness {
  private last: number;
  private longestGap = 0;
  private stepSeen = false;

  constructor(
    private readonly limits: { timeoutMs: number; firstStepMs: number },
    now: number,
    /** How many times the longest gap seen a silence may last. */
    private readonly margin = 4,
  ) {
    this.last = now;
  }

  /** A new worker: its silence counts from now; what was learnt of step times is kept. */
  restart(now: number): void {
    this.last = now;
  }

  /** A message came from the worker (`step`: it reported a training step). */
  alive(now: number, { step = false } = {}): void {
    this.longestGap = Math.max(this.longestGap, now - this.last);
    this.last = now;
    if (step) this.stepSeen = true;
  }

  /** How long the worker may stay silent before it counts as lost (ms). */
  get allowedSilenceMs(): number {
    const base = Math.max(this.limits.timeoutMs, this.margin * this.longestGap);
    return this.stepSeen ? base : Math.max(base, this.limits.firstStepMs);
  }

  silentFor(now: number): number {
    return now - this.last;
  }

  lost(now: number): boolean {
    return this.silentFor(now) > this.allowedSilenceMs;
  }
}
