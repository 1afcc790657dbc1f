import { useEffect, useState } from 'react';
import { Observable } from 'rxjs';
import type { GraphAnalysis, GraphDocument } from '../../engine/graph';
import { useDocumentStore } from '../store/document-store';
import { createGraphRuntime } from './graph-runtime';
import { Owner } from './owner';

/** The document store as an observable of documents (current value first). */
const documents$ = new Observable<GraphDocument>((subscriber) => {
  subscriber.next(useDocumentStore.getState().document);
  return useDocumentStore.subscribe((state, previous) => {
    if (state.document !== previous.document) subscriber.next(state.document);
  });
});

/** The runtime's latest analysis of the open document: shapes, sizes and diagnostics per node. */
export function useGraphAnalysis(): GraphAnalysis | null {
  const [analysis, setAnalysis] = useState<GraphAnalysis | null>(null);
  useEffect(() => {
    const owner = new Owner();
    owner.watch(createGraphRuntime(documents$, { debounceMs: 120 }).analysis$, setAnalysis, 'the graph analysis');
    return () => owner.dispose();
  }, []);
  return analysis;
}
