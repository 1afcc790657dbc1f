import { describe, expect, it } from 'vitest';
import { Liveness } from '../../renderer/runtime/liveness';

describe('the engine worker judged alive from its messages', () => {
  const limits = { timeoutMs: 5000, firstStepMs: 60_000 };

  it('allows the first step its own time, then the plain timeout for a worker seen to answer quickly', () => {
    const live = new Liveness(limits, 0);
    expect(live.lost(59_000)).toBe(false);
    expect(live.lost(60_001)).toBe(true);
    live.alive(100, { step: true });
    live.alive(300);
    expect(live.allowedSilenceMs).toBe(5000);
    expect(live.lost(5300)).toBe(false);
    expect(live.lost(5301)).toBe(true);
  });

  it('allows four times the longest gap seen, so slow steps are not taken for a hang', () => {
    const live = new Liveness(limits, 0);
    live.alive(3000, { step: true });
    live.alive(6000, { step: true });
    expect(live.allowedSilenceMs).toBe(12_000);
    expect(live.lost(6000 + 11_000)).toBe(false);
    expect(live.lost(6000 + 12_001)).toBe(true);
  });

  it('keeps what it learnt for a new worker, whose silence counts from its start', () => {
    const live = new Liveness(limits, 0);
    live.alive(2000, { step: true });
    live.restart(50_000);
    expect(live.silentFor(51_000)).toBe(1000);
    expect(live.allowedSilenceMs).toBe(8000);
    // The gap across the restart is not one the worker took.
    live.alive(50_100);
    expect(live.allowedSilenceMs).toBe(8000);
  });
});
