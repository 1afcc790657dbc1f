/**
 * The last step the page has heard of, and waits for a step to arrive. Events come over their own channel,
 * so a run's answer can overtake its last step events: the session changes state only once the steps up to
 * the run's end are delivered (or after `giveUpMs`, should they never come).
 */
export class StepsDelivered {
  last = 0;
  private readonly waiters = new Set<{ step: number; resolve: () => void }>();

  constructor(private readonly giveUpMs = 1000) {}

  /** Steps up to `step` have arrived: the waits they end are over. */
  reached(step: number): void {
    this.last = step;
    for (const w of this.waiters)
      if (step >= w.step) {
        this.waiters.delete(w);
        w.resolve();
      }
  }

  /** Resolves once step `step` has arrived. */
  until(step: number): Promise<void> {
    if (this.last >= step) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.giveUpMs);
      const waiter = { step, resolve: done };
      this.waiters.add(waiter);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
