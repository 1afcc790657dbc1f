import type { Backend } from './backend/backend';
import type { Dataset } from './data/dataset';
import { EngineError } from './errors';
import type { GraphDocument } from './graph/schema';
import { evaluateSet } from './train/evaluate';
import { cellSamples, type Inspection, inspectNetwork, type Prediction } from './train/inspect';
import { findLearningRate, type RateSearch, type RateSearchOptions, type RateSteps } from './train/rate-finder';
import { type Evaluation, Trainer } from './train/trainer';
import { MESSAGE_SLICE_MS, messageYielder } from './yield-to-messages';

/**
 * What work on copies needs of its session, read at each use: the session replaces its trainer when its
 * settings change and its backend when a device is lost.
 */
export interface CopySource {
  doc(): GraphDocument;
  trainer(): Trainer;
  makeBackend(): Backend;
  /** The session's training set (the learning-rate test trains on it). */
  train: Dataset;
  /** Whether the session is running (its weights move under a copy taken then). */
  running(): boolean;
  /** The learning-rate test's steps so far, for the page to plot while it runs. */
  rateSteps(steps: RateSteps): void;
}

/** How often the learning-rate test reports its steps so far: a few times a second, as a run's steps. */
const RATE_STEPS_MS = 100;

const yieldToMessages = messageYielder();

/**
 * A session's work on a copy of its current weights, which leaves its own weights and position as they
 * are: other data (a test set) evaluated and inspected, the cells of that inspection's confusion matrix,
 * and the learning-rate range test.
 */
export class SessionCopies {
  /** The test data the last inspection was of (none: the session's own validation set). */
  private tested?: Dataset;
  /** The learning-rate test under way, which `stopFindingRate` ends. */
  private rateSearch?: { stopped: boolean };

  constructor(private readonly source: CopySource) {}

  /** Loss and accuracy of the current weights on other data (a test set). */
  evaluate(data: Dataset): Promise<Evaluation> {
    return this.onCopy(data, (copy) => evaluateSet(copy, 'train'));
  }

  /** The network's inspection on other data (a test set, read as the training set was), marked 'test'. */
  async inspect(data: Dataset): Promise<Inspection> {
    const inspection = await this.onCopy(data, inspectNetwork);
    this.tested = data;
    return { ...inspection, set: 'test' };
  }

  /** The session inspected its own validation set: cells are its again. */
  forgetTested(): void {
    this.tested = undefined;
  }

  /**
   * The samples of one cell of the last inspection's confusion matrix (its set: the validation set, or the
   * test data it was given), classified by the current weights, the surest first.
   */
  cellSamples(cell: { label: number; predicted: number }): Promise<Prediction[]> {
    return this.tested
      ? this.onCopy(this.tested, (copy) => cellSamples(copy, cell))
      : cellSamples(this.source.trainer(), cell);
  }

  /**
   * The learning-rate range test (findLearningRate) from the current weights, on a copy of them over the
   * training set. Messages (a stop among them) are let in every slice, as a run lets them in.
   */
  async findLearningRate(options: RateSearchOptions = {}): Promise<RateSearch> {
    const doc = this.source.doc();
    // The copy trains as long as the test asks, whatever the document's epochs and early stopping say.
    const training = { ...doc.training, epochs: 100_000, earlyStopping: undefined };
    const search = { stopped: false };
    this.rateSearch = search;
    let slice = performance.now();
    let reported = slice;
    const between = async (sofar: RateSteps) => {
      const now = performance.now();
      if (now - reported > RATE_STEPS_MS) {
        reported = now;
        const { rates, losses, smoothed } = sofar;
        this.source.rateSteps({ rates: [...rates], losses: [...losses], smoothed: [...smoothed] });
      }
      if (now - slice > MESSAGE_SLICE_MS) {
        await yieldToMessages();
        slice = performance.now();
      }
      return search.stopped;
    };
    try {
      return await this.onCopy(this.source.train, (copy) => findLearningRate(copy, options, between), {
        ...doc,
        training,
      });
    } finally {
      if (this.rateSearch === search) this.rateSearch = undefined;
    }
  }

  /** Ends the learning-rate test under way after its current step; it answers with the steps taken. */
  stopFindingRate(): void {
    if (this.rateSearch) this.rateSearch.stopped = true;
  }

  /** Runs `work` on a trainer of `data` (as its training set) holding the session's current weights. */
  private async onCopy<T>(
    data: Dataset,
    work: (copy: Trainer) => Promise<T>,
    doc: GraphDocument = this.source.doc(),
  ): Promise<T> {
    if (this.source.running())
      throw new EngineError(
        'INTERNAL',
        'pause the session before working on a copy of its weights (a test set, the learning-rate test)',
      );
    const copy = new Trainer(doc, this.source.makeBackend(), data);
    try {
      const trained = await this.source.trainer().checkpoint();
      const order = Uint32Array.from({ length: data.count }, (_, i) => i);
      copy.restore({ ...trained, batchIndex: 0, order }, 'the trained weights');
      return await work(copy);
    } finally {
      copy.be.dispose?.();
    }
  }
}
