import type { Backend } from '../backend/backend';
import { allocStateLike, copyState, type TrainState } from './train-state';

/** A recorded step: its number, epoch, batch size and learning rate (its metrics may not be read yet). */
export interface RecordedStep {
  step: number;
  epoch: number;
  n: number;
  lr: number;
}

/**
 * Steps a window holds at most on the CPU (whose metrics are read after each step): the state is copied
 * once per this many steps instead of before every step (a copy of the weights and both optimizer slots per
 * step was a tenth of a small network's training time). A deferred backend's windows hold its read groups.
 */
const REPLAY_STEPS = 16;

/**
 * What undoes a step that went non-finite: the training state as it was before the window's first step,
 * and the steps recorded since. Going back restores that state; the trainer then replays the steps before
 * the bad one with the same batches and dropout masks, so training stops exactly before it (layers' running
 * statistics included). A window never spans an epoch's reshuffle, so replaying it gathers the same batches.
 * The state changes between steps only through the trainer's restore, which ends the window.
 */
export class ReplayWindow {
  private readonly start: TrainState;
  private steps: RecordedStep[] = [];

  constructor(
    private readonly be: Backend,
    private readonly paramCount: number,
    private readonly live: TrainState,
    /** Steps read together (a window never ends inside a group). */
    private readonly readGroup: number,
  ) {
    this.start = allocStateLike(be, live, 'replay window');
  }

  /** Before a step is first recorded: a new window (the state copied) when every earlier step is read and the window is full, new, or an epoch begins. */
  beforeStep(allRead: boolean, epochBegins: boolean): void {
    const full = this.steps.length >= Math.max(REPLAY_STEPS, this.readGroup);
    if (!allRead || !(full || epochBegins || this.steps.length === 0)) return;
    copyState(this.be, this.paramCount, this.start, this.live);
    this.steps = [];
  }

  record(step: RecordedStep): void {
    this.steps.push(step);
  }

  /** Back to the window's start: the steps it held, and how many come before `bad` (to replay). */
  rewind(bad: RecordedStep): { undone: number; replay: number } {
    const undone = this.steps.length;
    const replay = Math.max(0, this.steps.indexOf(bad));
    copyState(this.be, this.paramCount, this.live, this.start);
    this.steps = [];
    return { undone, replay };
  }

  /**
   * Runs `pass` on the live state and puts the state back as it was: the window's copy serves as scratch, so
   * the window ends (the next step starts another).
   */
  async aside<T>(pass: () => Promise<T>): Promise<T> {
    copyState(this.be, this.paramCount, this.start, this.live);
    this.steps = [];
    const result = await pass();
    copyState(this.be, this.paramCount, this.live, this.start);
    return result;
  }

  /** The state changed under the window: the next step starts another. */
  end(): void {
    this.steps = [];
  }
}
