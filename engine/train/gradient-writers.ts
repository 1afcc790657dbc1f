import { layerDef } from '../layers/registry';
import type { TrainingPlan } from './plan';

/**
 * Who writes each gradient buffer in the backward pass. A node's output gradient is a buffer it shares with
 * the aliases over it (Flatten, Reshape relabel memory); the input ports reading any of them add their
 * gradients into it, so the session zeroes it first. Where exactly one port writes it, zeroing it is wasted
 * work: that layer writes it outright (BuildContext.dxFresh), every element. On a chain such as LeNet-5 that
 * holds for every gradient, a fill and a read of each saved; only a tensor read twice (a residual
 * connection's input) is zeroed and added into (PyTorch likewise assigns a gradient's first contribution and
 * adds the later ones).
 */
export interface GradientWriters {
  /** "<node id>:<port>" of the ports that write their input's gradient outright (BuildContext.dxFresh). */
  outright: Set<string>;
  /** The nodes whose gradient buffer the session zeroes before each backward pass (one node per buffer). */
  zeroed: Set<string>;
}

export function gradientWriters(plan: TrainingPlan): GradientWriters {
  const planned = new Map(plan.nodes.map((p) => [p.node.id, p]));
  /** The node that owns a node's gradient buffer: itself, or what an alias relabels. */
  const owner = new Map<string, string>();
  for (const p of plan.nodes)
    owner.set(p.node.id, layerDef(p.node.kind).aliasesInput ? owner.get(p.inputs[0])! : p.node.id);
  const writers = new Map<string, string[]>();
  for (const p of plan.nodes) {
    // An alias's backward pass does nothing: its gradient is already in its input's buffer.
    if (layerDef(p.node.kind).aliasesInput) continue;
    p.inputs.forEach((id, port) => {
      if (!planned.get(id)!.needsGrad) return;
      const buffer = owner.get(id)!;
      writers.set(buffer, [...(writers.get(buffer) ?? []), `${p.node.id}:${port}`]);
    });
  }
  const seeded = owner.get(plan.outputNode.node.id);
  const outright = new Set<string>();
  const zeroed = new Set<string>();
  for (const [buffer, ports] of writers) {
    if (buffer === seeded) continue; // the loss writes it
    if (ports.length === 1) outright.add(ports[0]);
    else zeroed.add(buffer);
  }
  return { outright, zeroed };
}
