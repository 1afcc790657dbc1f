import { EngineError } from '../errors';
import { size } from '../layers/layer';
import { type PlaneGrid, planeGrid } from './decision-boundary';
import { lookInsideSession, nodeOf } from './look-inside-session';
import type { Trainer } from './trainer';

/** Units of one layer drawn over the plane at most (TensorFlow Playground draws every neuron of a few). */
export const MAX_PLANE_UNITS = 64;
/** Cells a side of each unit's picture. */
const RESOLUTION = 32;
/** Cells run through the network at once. */
const BATCH = 256;

/** Each unit of a layer over the input plane: its output at every cell (unit-major: unit u's cells together). */
export interface UnitsOverPlane extends PlaneGrid {
  units: number;
  /** Units of the layer, of which the first `units` are drawn. */
  of: number;
  values: Float32Array;
}

/**
 * What each unit of a layer computes over the input plane of a network of 2-D points (TensorFlow
 * Playground's picture of every neuron): the layer's outputs for every cell of the grid the decision
 * boundary is drawn on, from the engine's own forward pass on the current weights.
 */
export async function unitsOverPlane(trainer: Trainer, nodeId: string): Promise<UnitsOverPlane> {
  const input = trainer.plan.inputNode.outputShape;
  if (input.length !== 1 || input[0] !== 2)
    throw new EngineError(
      'INVALID_DATA',
      `a plane needs a network of 2-D points; this one reads [${input.join(', ')}]`,
    );
  const session = lookInsideSession(trainer, BATCH);
  const node = nodeOf(session, nodeId);
  if (node.outputShape.length !== 1)
    throw new EngineError(
      'INVALID_DATA',
      `"${nodeId}" makes [${node.outputShape.join(', ')}]: units over the plane are a layer of units`,
      nodeId,
    );
  const of = size(node.outputShape);
  const units = Math.min(of, MAX_PLANE_UNITS);
  const { plane, grid } = planeGrid(trainer, RESOLUTION);
  const cells = RESOLUTION * RESOLUTION;
  const values = new Float32Array(units * cells);
  for (let start = 0; start < cells; start += BATCH) {
    const n = Math.min(BATCH, cells - start);
    trainer.be.write(session.input, grid.subarray(2 * start, 2 * (start + n)));
    session.forward(n, 'eval', trainer.step);
    const out = await trainer.be.read(node.y);
    for (let r = 0; r < n; r++) for (let u = 0; u < units; u++) values[u * cells + start + r] = out[r * of + u];
  }
  return { ...plane, units, of, values };
}
