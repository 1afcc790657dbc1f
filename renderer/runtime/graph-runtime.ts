import {
  catchError,
  debounceTime,
  defer,
  distinctUntilChanged,
  EMPTY,
  from,
  map,
  type Observable,
  type ObservableInput,
  type SchedulerLike,
  scan,
  shareReplay,
  switchMap,
} from 'rxjs';
import { analyseGraph, type GraphAnalysis, type GraphDocument, type NodeAnalysis } from '../../engine/graph';
import { reportRuntimeError } from './owner';

export interface GraphRuntimeOptions {
  debounceMs?: number;
  scheduler?: SchedulerLike;
  /** Where the analysis runs: in the page by default, or in the engine worker. */
  analyse?: (doc: GraphDocument) => ObservableInput<GraphAnalysis>;
  /** Told when analysing a document fails; the runtime goes on with the next edit. The app's sink by default. */
  onError?: (error: unknown, where: string) => void;
}

/** What analysis reads of a document: moving nodes on the canvas changes none of it. */
export function structuralKey(doc: GraphDocument): string {
  const { optimizer, loss, batchSize } = doc.training;
  return JSON.stringify([doc.nodes.map((n) => [n.id, n.kind, n.params]), doc.edges, optimizer.kind, loss, batchSize]);
}

const sameNode = (a: NodeAnalysis, b: NodeAnalysis) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Keeps the previous object of every node whose analysis did not change, so that per-node subscribers
 * (the canvas's nodes) hear only about what changed.
 */
function reuseUnchanged(previous: GraphAnalysis | null, next: GraphAnalysis): GraphAnalysis {
  if (!previous) return next;
  const nodes = new Map<string, NodeAnalysis>();
  for (const [id, node] of next.nodes) {
    const before = previous.nodes.get(id);
    nodes.set(id, before && sameNode(before, node) ? before : node);
  }
  return { ...next, nodes };
}

/**
 * The document as the engine sees it: every structural edit, debounced, is re-validated and re-planned;
 * a newer edit cancels the analysis of an older one (switchMap).
 */
export function createGraphRuntime(doc$: Observable<GraphDocument>, options: GraphRuntimeOptions = {}) {
  const analyse = options.analyse ?? ((doc: GraphDocument) => [analyseGraph(doc)]);
  const onError = options.onError ?? reportRuntimeError;
  const analysis$ = doc$.pipe(
    distinctUntilChanged((a, b) => a === b || structuralKey(a) === structuralKey(b)),
    debounceTime(options.debounceMs ?? 150, options.scheduler),
    // An analysis that throws is reported and skipped: the next edit is analysed as usual, where an
    // error let through would end the stream and the canvas would silently stop updating.
    switchMap((doc) =>
      defer(() => from(analyse(doc))).pipe(
        catchError((error) => {
          onError(error, 'analysing the graph');
          return EMPTY;
        }),
      ),
    ),
    scan<GraphAnalysis, GraphAnalysis | null>((previous, next) => reuseUnchanged(previous, next), null),
    map((a) => a as GraphAnalysis),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  return {
    analysis$,
    /** One node's shape, size and diagnostics; emits only when they change. */
    node$: (id: string): Observable<NodeAnalysis | undefined> =>
      analysis$.pipe(
        map((a) => a.nodes.get(id)),
        distinctUntilChanged(),
      ),
  };
}

export type GraphRuntime = ReturnType<typeof createGraphRuntime>;
