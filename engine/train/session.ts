import type { Backend, Buf } from '../backend/backend';
import type { Training } from '../graph/training-schema';
import { type InitName, initialise } from '../init/initializers';
import { layerSeed } from '../init/layer-seed';
import type { Random } from '../init/random';
import { type LayerPasses, type Mode, type ParamSpec, type Shape, size } from '../layers/layer';
import { layerDef } from '../layers/registry';
import type { TargetKind } from '../losses/loss';
import { losses } from '../losses/registry';
import { gradientWriters } from './gradient-writers';
import type { TrainingPlan } from './plan';

/** A learnable tensor's place in the flat parameter storage. */
export interface ParamSlot {
  nodeId: string;
  name: string;
  spec: ParamSpec;
  offset: number;
  size: number;
  /** The layer's initialiser for weights (its `init` param). */
  initName: InitName;
  l1: number;
  l2: number;
}

/** A node as built: its buffers and passes. */
export interface BuiltNode {
  id: string;
  kind: string;
  outputShape: Shape;
  y: Buf;
  dy: Buf;
  passes: LayerPasses;
}

/**
 * A network ready to run on one backend, with every buffer allocated once (llm.c's flat layout):
 * one buffer each for parameters, gradients and the two optimizer slots, with per-layer views.
 * Nothing here allocates after `buildSession` returns.
 */
export interface Session {
  be: Backend;
  maxBatch: number;
  nodes: BuiltNode[];
  params: ParamSlot[];
  paramCount: number;
  flat: { params: Buf; grads: Buf; slot1: Buf; slot2: Buf };
  /** The input node's output: the trainer gathers each batch into it. */
  input: Buf;
  inputSize: number;
  /** The output node's activations (what the loss reads): [maxBatch, ...output]. */
  output: Buf;
  /** [maxBatch] labels or [maxBatch, ...output] targets. */
  targets: Buf;
  targetSize: number;
  /** loss[0] and correct[0] of the last computeLoss; normSq[0] of the last gradient. */
  loss: Buf;
  correct: Buf;
  normSq: Buf;
  forward(n: number, mode: Mode, step: number): void;
  /** Zeroes loss and correct, then adds the batch's mean loss and its number of correct predictions. */
  computeLoss(n: number): void;
  /** Zeroes all gradients, then back-propagates from the loss's seed through every node. */
  backward(n: number, mode: Mode): void;
  /** Adds L1/L2 penalties to the gradients and clips them by global norm (writes normSq). */
  finishGradients(clipNorm: number): void;
}

/**
 * Where each parameter lives in the flat storage (and in a checkpoint's params): the layers in schedule
 * order, each layer's parameters in its specs' order.
 */
export function parameterLayout(
  plan: TrainingPlan,
): { nodeId: string; name: string; spec: ParamSpec; offset: number; size: number }[] {
  const slots: { nodeId: string; name: string; spec: ParamSpec; offset: number; size: number }[] = [];
  let offset = 0;
  for (const p of plan.nodes)
    for (const [name, spec] of Object.entries(layerDef(p.node.kind).paramSpecs(p.node.params, p.inputShapes))) {
      slots.push({ nodeId: p.node.id, name, spec, offset, size: size(spec.shape) });
      offset += size(spec.shape);
    }
  return slots;
}

export function buildSession(
  be: Backend,
  plan: TrainingPlan,
  training: Training,
  maxBatch: number,
  /** What the dataset gives: the loss reads class labels or target tensors. */
  targetKind: TargetKind,
  /**
   * Another session's parameters to compute with instead of its own (the look-inside session reads the
   * training session's weights as they are); such a session is never stepped, so its optimizer slots are empty.
   */
  sharedParams?: Buf,
): Session {
  const ids = new Map<string, BuiltNode>();
  const needsGrad = new Set(plan.nodes.filter((n) => n.needsGrad).map((n) => n.node.id));
  const global = training.regularization;

  // Flat parameter layout, in schedule order, then one allocation each.
  const byId = new Map(plan.nodes.map((p) => [p.node.id, p.node]));
  const params: ParamSlot[] = parameterLayout(plan).map((slot) => {
    const own = byId.get(slot.nodeId)!.params as { l1?: number; l2?: number; init?: InitName };
    return {
      ...slot,
      initName: own.init ?? 'glorot-uniform',
      l1: (own.l1 ?? 0) + global.l1,
      l2: (own.l2 ?? 0) + global.l2,
    };
  });
  const paramCount = params.reduce((sum, p) => sum + p.size, 0);
  const total = Math.max(paramCount, 1);
  const slotSize = sharedParams ? 1 : total;
  const flat = {
    params: sharedParams ?? be.alloc(total, 'params'),
    grads: be.alloc(total, 'grads'),
    slot1: be.alloc(slotSize, 'slot1'),
    slot2: be.alloc(slotSize, 'slot2'),
  };

  const writers = gradientWriters(plan);
  const nodes: BuiltNode[] = [];
  for (const p of plan.nodes) {
    const def = layerDef(p.node.kind);
    const per = size(p.outputShape);
    const inputs = p.inputs.map((id) => ids.get(id)!);
    const y = def.aliasesInput ? inputs[0].y : be.alloc(maxBatch * per, `${p.node.id}.y`);
    const dy = def.aliasesInput ? inputs[0].dy : be.alloc(maxBatch * per, `${p.node.id}.dy`);
    const mine = params.filter((s) => s.nodeId === p.node.id);
    const viewsOf = (buf: Buf) => Object.fromEntries(mine.map((s) => [s.name, be.view(buf, s.offset, s.size)]));
    const passes = def.build({
      be,
      params: p.node.params,
      maxBatch,
      inputShapes: p.inputShapes,
      outputShape: p.outputShape,
      x: inputs.map((i) => i.y),
      dx: p.inputs.map((id, i) => (needsGrad.has(id) ? inputs[i].dy : null)),
      dxFresh: p.inputs.map((_, i) => writers.outright.has(`${p.node.id}:${i}`)),
      y,
      dy,
      weights: viewsOf(flat.params),
      grads: viewsOf(flat.grads),
      scratch: (name, n) => be.alloc(n, `${p.node.id}.${name}`),
      seed: layerSeed(training.seed, p.node.id),
    });
    const built: BuiltNode = { id: p.node.id, kind: p.node.kind, outputShape: p.outputShape, y, dy, passes };
    nodes.push(built);
    ids.set(p.node.id, built);
  }

  const output = ids.get(plan.outputNode.node.id)!;
  const lossDef = losses[training.loss.kind];
  const targetSize = targetKind === 'class' ? 1 : size(plan.outputNode.outputShape);
  const targets = be.alloc(maxBatch * targetSize, 'targets');
  const loss = be.alloc(1, 'loss');
  const correct = be.alloc(1, 'correct');
  const normSq = be.alloc(1, 'normSq');
  const runLoss = lossDef.build({
    be,
    targetKind,
    outputShape: plan.outputNode.outputShape,
    y: output.y,
    dy: output.dy,
    targets,
    loss,
    correct,
  });
  // Backward runs in reverse schedule order over the nodes gradients flow through.
  const backwardOrder = nodes.filter((n) => needsGrad.has(n.id)).reverse();
  const zeroedGradients = backwardOrder.filter((node) => writers.zeroed.has(node.id));
  const regularised = params.filter((s) => s.spec.regularize && (s.l1 > 0 || s.l2 > 0));

  return {
    be,
    maxBatch,
    nodes,
    params,
    paramCount,
    flat,
    input: ids.get(plan.inputNode.node.id)!.y,
    inputSize: size(plan.inputNode.outputShape),
    output: output.y,
    targets,
    targetSize,
    loss,
    correct,
    normSq,
    forward(n, mode, step) {
      for (const node of nodes) node.passes.forward(n, mode, step);
    },
    computeLoss(n) {
      be.fill(loss, 0, 1);
      be.fill(correct, 0, 1);
      runLoss(n);
    },
    backward(n, mode) {
      be.fill(flat.grads, 0, total);
      // The loss has just seeded the output's gradient; every other buffer starts from zero, but those that
      // one layer writes outright (see gradientWriters).
      for (const node of zeroedGradients) be.fill(node.dy, 0, n * size(node.outputShape));
      for (const node of backwardOrder) node.passes.backward(n, mode);
    },
    finishGradients(clipNorm) {
      for (const s of regularised) {
        const w = be.view(flat.params, s.offset, s.size);
        const g = be.view(flat.grads, s.offset, s.size);
        be.regularize({ w, g, size: s.size, l1: s.l1, l2: s.l2 });
      }
      be.clipByGlobalNorm({ g: flat.grads, size: total, maxNorm: clipNorm, normSq });
    },
  };
}

/** Draws every parameter from the run's generator, in schedule order, so a seed fixes the network. */
export function initialiseParams(session: Session, random: Random): void {
  const values = new Float64Array(Math.max(session.paramCount, 1));
  for (const slot of session.params)
    initialise(values.subarray(slot.offset, slot.offset + slot.size), slot.spec.init, slot.initName, random);
  session.be.write(session.flat.params, values);
  for (const node of session.nodes)
    for (const s of Object.values(node.passes.state ?? {})) session.be.fill(s.buf, s.initial, s.buf.length);
}
