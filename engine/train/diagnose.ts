import { size } from '../layers/layer';
import type { Session } from './session';

/**
 * After a non-finite loss or gradient: the first node, in schedule order, whose output holds NaN or ±∞,
 * else the first (from the output back) whose parameter gradient does. Reads buffers back: a rare path.
 */
export async function findNonFinite(session: Session, n: number): Promise<{ id: string; what: string } | null> {
  const { be } = session;
  for (const node of session.nodes) {
    const values = await be.read(node.y);
    const count = n * size(node.outputShape);
    for (let i = 0; i < count; i++)
      if (!Number.isFinite(values[i])) return { id: node.id, what: `output ${values[i]}` };
  }
  const grads = await be.read(session.flat.grads);
  for (let k = session.params.length - 1; k >= 0; k--) {
    const slot = session.params[k];
    for (let i = slot.offset; i < slot.offset + slot.size; i++)
      if (!Number.isFinite(grads[i])) return { id: slot.nodeId, what: `have a non-finite gradient (${slot.name})` };
  }
  return null;
}
