import { EngineError } from '../errors';
import { type BuiltNode, buildSession, type Session } from './session';
import type { Trainer } from './trainer';

/**
 * Look inside, for one input (or a batch of them: the plane of a network of 2-D points): the trainer's
 * network again, with a gradient flowing into its Input, every layer's output kept, and computing with the
 * training session's own weights (shared, not copied). Its passes are the engine's own, so what is shown
 * here is what training computes. Built at the first question of each batch size and kept with the trainer.
 */
const sessions = new WeakMap<Trainer, Map<number, Session>>();

export function lookInsideSession(trainer: Trainer, batch = 1): Session {
  const bySize = sessions.get(trainer) ?? new Map<number, Session>();
  sessions.set(trainer, bySize);
  let session = bySize.get(batch);
  if (!session) {
    const plan = { ...trainer.plan, nodes: trainer.plan.nodes.map((n) => ({ ...n, needsGrad: true })) };
    const targetKind = trainer.dataset('train')?.targetKind ?? 'class';
    session = buildSession(trainer.be, plan, trainer.doc.training, batch, targetKind, trainer.session.flat.params);
    bySize.set(batch, session);
  }
  // Layer state that is not learned (batch norm's running statistics) as training left it.
  const own = new Map(trainer.session.nodes.map((n) => [n.id, n]));
  for (const node of session.nodes)
    for (const [name, s] of Object.entries(node.passes.state ?? {})) {
      const from = own.get(node.id)!.passes.state![name];
      trainer.be.copy({ src: from.buf, out: s.buf, size: s.buf.length, accumulate: false });
    }
  return session;
}

/** The session's node of a layer, by the document's id; a stranger refused by name. */
export function nodeOf(session: Session, nodeId: string): BuiltNode {
  const node = session.nodes.find((n) => n.id === nodeId);
  if (!node) throw new EngineError('INVALID_DATA', `no layer "${nodeId}" in the network being trained`, nodeId);
  return node;
}
