import { useEffect, useMemo, useState } from 'react';
import { Observable } from 'rxjs';
import { type DatasetDescription, describeDataset } from '../../engine/data/describe';
import type { GraphAnalysis, GraphDocument } from '../../engine/graph';
import type { Diagnostic } from '../../engine/graph/diagnostics';
import { setupDiagnostics, withSetup } from '../../engine/train/setup-check';
import { type PickedDataset, pickedMatches, useDatasetFilesStore } from '../store/dataset-files-store';
import { useDocumentStore } from '../store/document-store';
import { useViewStore } from '../store/view-store';
import { createGraphRuntime } from './graph-runtime';
import { Owner } from './owner';

/** The document store as an observable of documents (current value first). */
const documents$ = new Observable<GraphDocument>((subscriber) => {
  subscriber.next(useDocumentStore.getState().document);
  return useDocumentStore.subscribe((state, previous) => {
    if (state.document !== previous.document) subscriber.next(state.document);
  });
});

/**
 * The runtime's latest analysis of the open document: shapes, sizes and diagnostics per node, and the
 * network checked against its dataset (sample shape, classes, labels, batch) as either side changes.
 */
export function useGraphAnalysis(): GraphAnalysis | null {
  const [analysis, setAnalysis] = useState<GraphAnalysis | null>(null);
  useEffect(() => {
    const owner = new Owner();
    owner.watch(createGraphRuntime(documents$, { debounceMs: 120 }).analysis$, setAnalysis, 'the graph analysis');
    return () => owner.dispose();
  }, []);
  // The parts of the document the setup check reads: an edit elsewhere (a run recorded, a note moved) does
  // not re-render the app.
  const nodes = useDocumentStore((s) => s.document.nodes);
  const training = useDocumentStore((s) => s.document.training);
  const picked = useDatasetFilesStore((s) => s.picked);
  const description = useDatasetDescription(training, picked);
  const invalid = useViewStore((s) => s.invalidParams);
  return useMemo(() => {
    if (!analysis) return null;
    // Values typed in the inspector that the layer refuses count as the layer's problems until fixed.
    const typed: Diagnostic[] = [...invalid].flatMap(([nodeId, fields]) =>
      analysis.nodes.has(nodeId)
        ? [...fields.values()].map((message) => ({
            code: 'INVALID_VALUE' as const,
            severity: 'error' as const,
            nodeId,
            message,
          }))
        : [],
    );
    return withSetup(analysis, [...typed, ...setupDiagnostics({ nodes, training }, analysis, description)]);
  }, [analysis, nodes, training, description, invalid]);
}

/** What is known of the document's dataset before loading it (its files' headers, a generator's shapes). */
function useDatasetDescription(
  training: GraphDocument['training'],
  picked: PickedDataset | null,
): DatasetDescription | undefined {
  const [description, setDescription] = useState<DatasetDescription | undefined>(undefined);
  const { dataset, seed } = training;
  const files = picked && pickedMatches(dataset, picked) ? picked : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the dataset settings and files decide it
  useEffect(() => {
    let current = true;
    describeDataset(useDocumentStore.getState().document, files)
      .then((d) => current && setDescription(d))
      .catch(() => current && setDescription(undefined));
    return () => {
      current = false;
    };
  }, [dataset, seed, files]);
  return description;
}
