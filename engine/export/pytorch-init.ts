import type { GraphDocument } from '../graph/schema';
import type { InitName } from '../init/initializers';
import { Random } from '../init/random';
import type { planTraining } from '../train/plan';
import { parameterLayout } from '../train/session';
import type { LayerExport } from './pytorch-layers';
import type { Penalty } from './pytorch-training';

/**
 * What the exported script takes from Netloom's own draws and settings: its initialisers with the fans it
 * gives each weight, its generator's state for the order of samples, and each weight's L1/L2.
 */

type Plan = ReturnType<typeof planTraining>;

/**
 * Netloom's initialisers (the paper's chapter 4) with each weight's own fan-in and fan-out as the engine
 * counts them: the same distributions, drawn from PyTorch's generator.
 */
export function initialiserSource(plan: Plan, layers: { id: string; out: LayerExport }[]): string[] {
  const specs = parameterLayout(plan);
  const byId = new Map(plan.nodes.map((p) => [p.node.id, p.node]));
  const lines: string[] = [];
  for (const l of layers) {
    const initName = (byId.get(l.id)!.params as { init?: InitName }).init ?? 'glorot-uniform';
    for (const entry of l.out.state ?? []) {
      const at = `        params['${entry.key}']`;
      if (entry.addsTo) {
        lines.push(`${at}.zero_()  # kept at zero: Netloom has one bias`);
        continue;
      }
      const spec = specs.find((s) => s.nodeId === l.id && s.name === entry.from)?.spec;
      if (!spec) continue;
      if (spec.init.kind === 'constant') {
        lines.push(`${at}.fill_(${spec.init.value})`);
        continue;
      }
      const { fanIn, fanOut } = spec.init;
      const why = `# ${initName}, fan in ${fanIn}, fan out ${fanOut}`;
      const uniform = (a: number) => `${at}.uniform_(-${a}, ${a})  ${why}`;
      const normal = (std: number) => `${at}.normal_(0.0, ${std})  ${why}`;
      const draws: Record<InitName, () => string> = {
        paper: () => uniform(1 / Math.sqrt(fanIn)),
        'glorot-uniform': () => uniform(Math.sqrt(6 / (fanIn + fanOut))),
        'glorot-normal': () => normal(Math.sqrt(2 / (fanIn + fanOut))),
        'he-uniform': () => uniform(Math.sqrt(6 / fanIn)),
        'he-normal': () => normal(Math.sqrt(2 / fanIn)),
      };
      lines.push(draws[initName]());
    }
  }
  return [
    'def initialise(model):',
    `    """Netloom's initial weights: its initialisers, with the fan-in and fan-out it gives each weight."""`,
    '    params = dict(model.named_parameters())',
    '    with torch.no_grad():',
    ...(lines.length > 0 ? lines : ['        pass']),
    '    return model',
  ];
}

/**
 * Netloom's generator as the trainer leaves it after drawing the initial weights (one draw per value of a
 * uniform initialiser, two of a normal one, none of a constant): the state its shuffles of the samples start
 * from, whatever weights the run then loads.
 */
export function shuffleState(doc: GraphDocument, plan: Plan): number[] {
  const random = new Random(doc.training.seed);
  const byId = new Map(plan.nodes.map((p) => [p.node.id, p.node]));
  for (const slot of parameterLayout(plan)) {
    if (slot.spec.init.kind === 'constant') continue;
    const initName = (byId.get(slot.nodeId)!.params as { init?: InitName }).init ?? 'glorot-uniform';
    const draws = slot.size * (initName.endsWith('normal') ? 2 : 1);
    for (let i = 0; i < draws; i++) random.nextUint32();
  }
  return random.getState();
}

/** The weights' L1/L2 (the layer's own plus the network's), by the key of the tensor that holds each. */
export function penalties(doc: GraphDocument, plan: Plan, layers: { id: string; out: LayerExport }[]): Penalty[] {
  const global = doc.training.regularization;
  const specs = parameterLayout(plan);
  const byId = new Map(plan.nodes.map((p) => [p.node.id, p.node]));
  return layers.flatMap((l) => {
    const own = byId.get(l.id)!.params as { l1?: number; l2?: number };
    const l1 = (own.l1 ?? 0) + global.l1;
    const l2 = (own.l2 ?? 0) + global.l2;
    if (l1 === 0 && l2 === 0) return [];
    return (l.out.state ?? []).flatMap((entry) => {
      const spec = specs.find((s) => s.nodeId === l.id && s.name === entry.from)?.spec;
      return spec?.regularize ? [{ key: entry.key, l1, l2 }] : [];
    });
  });
}
