import { type Observable, Subscription } from 'rxjs';

/** Where errors of subscriptions go when their owner was given no handler: the app shows them to the user. */
let reportError: (error: unknown, where: string) => void = (error, where) => console.error(where, error);

/** Set once by the app: errors from any owned subscription reach the user (never swallowed). */
export function setRuntimeErrorSink(sink: (error: unknown, where: string) => void): void {
  reportError = sink;
}

export function reportRuntimeError(error: unknown, where: string): void {
  reportError(error, where);
}

/**
 * Owns subscriptions and disposes them together: every runtime subscription has one, so that closing a
 * session or removing a node leaves nothing running (xyflow's and tldraw's rule for reactive state).
 */
export class Owner {
  private readonly subscriptions = new Subscription();
  private readonly children = new Set<Owner>();

  /** `onError` hears what the owned subscriptions fail with (and its children's); the app's sink by default. */
  constructor(private readonly onError: (error: unknown, where: string) => void = reportRuntimeError) {}

  get disposed(): boolean {
    return this.subscriptions.closed;
  }

  /**
   * Subscribes and keeps the subscription until this owner is disposed. An error ends the subscription (as
   * in RxJS) and is reported, named by `where`, so that a stream that stops is never silent; so is an error
   * thrown by `next`.
   */
  watch<T>(source: Observable<T>, next: (value: T) => void, where = 'a live update'): Subscription {
    const sub = source.subscribe({
      next: (value) => {
        try {
          next(value);
        } catch (error) {
          this.onError(error, where);
        }
      },
      error: (error) => this.onError(error, where),
    });
    this.subscriptions.add(sub);
    return sub;
  }

  add(teardown: () => void): void {
    this.subscriptions.add(teardown);
  }

  child(): Owner {
    const child = new Owner(this.onError);
    this.children.add(child);
    child.add(() => this.children.delete(child));
    this.subscriptions.add(() => child.dispose());
    return child;
  }

  get liveChildren(): number {
    return this.children.size;
  }

  dispose(): void {
    this.subscriptions.unsubscribe();
  }
}
