import { interval, type SchedulerLike, Subject, takeUntil } from 'rxjs';
import type { Liveness } from './liveness';
import type { Owner } from './owner';

/**
 * Pings the engine worker every `intervalMs` while `current()` holds; a silence past what `liveness` allows
 * (see Liveness) calls `lost` once with its length. Ends when the owner is disposed, the worker is no longer
 * current, or it is lost.
 */
export function watchHeartbeat(options: {
  owner: Owner;
  scheduler: SchedulerLike;
  intervalMs: number;
  liveness: Liveness;
  ping: () => Promise<unknown>;
  current: () => boolean;
  lost: (silentMs: number) => void;
}): void {
  const { scheduler, liveness } = options;
  const beats = options.owner.child();
  liveness.restart(scheduler.now());
  const gone = new Subject<void>();
  beats.add(() => gone.next());
  beats.watch(interval(options.intervalMs, scheduler).pipe(takeUntil(gone)), () => {
    if (!options.current()) return beats.dispose();
    const now = scheduler.now();
    if (liveness.lost(now)) {
      beats.dispose();
      return options.lost(liveness.silentFor(now));
    }
    options.ping().then(
      () => {
        if (options.current()) liveness.alive(scheduler.now());
      },
      () => {},
    );
  });
}
