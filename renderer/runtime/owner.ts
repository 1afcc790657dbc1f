import { type Observable, Subscription } from 'rxjs';

/**
 * Owns subscriptions and disposes them together: every runtime subscription has one, so that closing a
 * session or removing a node leaves nothing running (xyflow's and tldraw's rule for reactive state).
 */
export class Owner {
  private readonly subscriptions = new Subscription();
  private readonly children = new Set<Owner>();

  get disposed(): boolean {
    return this.subscriptions.closed;
  }

  /** Subscribes and keeps the subscription until this owner is disposed. */
  watch<T>(source: Observable<T>, next: (value: T) => void): Subscription {
    const sub = source.subscribe({ next, error: () => {} });
    this.subscriptions.add(sub);
    return sub;
  }

  add(teardown: () => void): void {
    this.subscriptions.add(teardown);
  }

  child(): Owner {
    const child = new Owner();
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
