import { describe, expect, it } from 'vitest';
import { StepsDelivered } from '../../renderer/runtime/steps-delivered';

describe('waiting for a run’s last steps to arrive', () => {
  it('ends a wait once its step arrives, not before, and at once for a step already seen', async () => {
    const delivered = new StepsDelivered(60_000);
    let ended = false;
    const wait = delivered.until(10).then(() => {
      ended = true;
    });
    delivered.reached(9);
    await Promise.resolve();
    expect(ended).toBe(false);
    delivered.reached(12);
    await wait;
    expect(ended).toBe(true);
    await delivered.until(12);
    expect(delivered.last).toBe(12);
  });
});
