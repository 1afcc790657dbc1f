import type { GraphDocument } from '../../engine/graph';

/** Why an edited layer (or one after it) shows no statistics: the run's layer is not the one on the canvas. */
export const EDITED_DURING_RUN =
  'This layer, or one before it, changed after the run started: the run goes on training the network as it was, so its statistics are not shown.';

/**
 * The layers of `now` that are not the ones a run trains (its network is `run`'s): another kind, other
 * settings, or other inputs, and every layer after one of those (fed something else: another shape, other
 * values). Their live statistics describe the run's layers, not the ones on the canvas, so they are set
 * aside until the edit is undone or a new run starts. Layers the run does not have (added since) have no
 * statistics to set aside.
 */
export function layersChanged(run: GraphDocument, now: GraphDocument): Set<string> {
  const was = new Map(run.nodes.map((node) => [node.id, node]));
  const inputsOf = (doc: GraphDocument) => {
    const inputs = new Map<string, string[]>();
    for (const e of doc.edges) {
      const list = inputs.get(e.target) ?? [];
      list.push(JSON.stringify([e.targetPort, e.source, e.sourcePort]));
      inputs.set(e.target, list);
    }
    return (id: string) => (inputs.get(id) ?? []).sort().join();
  };
  const inputsThen = inputsOf(run);
  const inputsNow = inputsOf(now);
  const changed = new Set<string>();
  for (const node of now.nodes) {
    const then = was.get(node.id);
    if (!then) continue;
    if (
      then.kind !== node.kind ||
      JSON.stringify(then.params) !== JSON.stringify(node.params) ||
      inputsThen(node.id) !== inputsNow(node.id)
    )
      changed.add(node.id);
  }
  // And downstream of them, as the canvas now wires them.
  const next = new Map<string, string[]>();
  for (const e of now.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const waiting = [...changed];
  for (let id = waiting.pop(); id !== undefined; id = waiting.pop())
    for (const target of next.get(id) ?? [])
      if (was.has(target) && !changed.has(target)) {
        changed.add(target);
        waiting.push(target);
      }
  return changed;
}
