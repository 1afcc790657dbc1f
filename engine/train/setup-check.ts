import { movesPixels } from '../data/augment';
import type { DatasetDescription } from '../data/describe';
import type { GraphAnalysis } from '../graph/analysis';
import type { Diagnostic } from '../graph/diagnostics';
import type { GraphDocument } from '../graph/schema';
import { size } from '../layers/layer';
import { losses } from '../losses/registry';

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * The network against its dataset, before Train: a sample's shape against the Input, the classes against
 * the output's scores, the kind of labels against the loss, the batch against the training samples. The
 * same mistakes the engine refuses when a run opens, found as either side changes, on the layer at fault.
 */
export function setupDiagnostics(
  doc: Pick<GraphDocument, 'nodes' | 'training'>,
  analysis: GraphAnalysis,
  data: DatasetDescription | undefined,
): Diagnostic[] {
  if (!data || !analysis.canTrain) return [];
  const out: Diagnostic[] = [];
  const problem = (message: string, nodeId?: string) =>
    out.push({ code: 'SETUP_MISMATCH', severity: 'error', nodeId, message });
  const input = doc.nodes.find((n) => n.kind === 'input');
  const inputShape = input && analysis.nodes.get(input.id)?.outputShape;
  if (input && inputShape && data.inputShape && size(inputShape) !== size(data.inputShape))
    problem(
      `the dataset (${data.name}) has samples of ${fmt(data.inputShape)}, but this Input takes ${fmt(inputShape)}`,
      input.id,
    );
  const outputId = analysis.outputId;
  const outputShape = outputId === undefined ? undefined : analysis.nodes.get(outputId)?.outputShape;
  const loss = losses[doc.training.loss.kind];
  if (outputId !== undefined && outputShape && data.targetKind) {
    const readsClasses = loss.targets === 'class' || (loss.targets === 'either' && data.targetKind === 'class');
    if (loss.targets === 'class' && data.targetKind === 'tensor')
      problem(
        `${loss.title} needs class labels, but the dataset (${data.name}) has values to fit: mean squared error fits values, sigmoid binary cross-entropy yes/no labels of 0 and 1`,
        outputId,
      );
    else if (loss.targets === 'tensor' && data.targetKind === 'class')
      problem(
        `${loss.title} needs a target of ${fmt(outputShape)} per sample, but the dataset (${data.name}) has class labels`,
        outputId,
      );
    else if (readsClasses && data.classes !== undefined && data.classes > size(outputShape))
      problem(
        `the dataset (${data.name}) has ${data.classes} classes, but this layer outputs ${size(outputShape)} scores`,
        outputId,
      );
    else if (!readsClasses && data.targetSize !== undefined && data.targetSize !== size(outputShape))
      problem(
        `${loss.title} compares this layer's ${fmt(outputShape)} with targets of ${data.targetSize} values`,
        outputId,
      );
  }
  const augmentation = doc.training.augmentation;
  if (augmentation && movesPixels(augmentation) && data.inputShape && data.inputShape.length !== 3)
    problem(
      `crop, flip, rotation and shift augment images, but the dataset (${data.name}) has samples of ${fmt(data.inputShape)}`,
    );
  if (data.count !== undefined && doc.training.sampling === 'mini-batch') {
    const training = data.count - Math.floor(data.count * doc.training.validation.split);
    // Not an error: a batch is never larger than the data (each step then takes all of it).
    if (doc.training.batchSize > training)
      out.push({
        code: 'SETUP_MISMATCH',
        severity: 'warning',
        message: `the batch size ${doc.training.batchSize} is more than the ${training} training samples of ${data.name}: each step takes them all (full batch)`,
      });
  }
  return out;
}

/** The analysis with the setup's problems added: on their layers, and Train kept disabled while they stand. */
export function withSetup(analysis: GraphAnalysis, problems: Diagnostic[]): GraphAnalysis {
  if (problems.length === 0) return analysis;
  const nodes = new Map(analysis.nodes);
  for (const p of problems) {
    const node = p.nodeId === undefined ? undefined : nodes.get(p.nodeId);
    if (node) nodes.set(node.id, { ...node, diagnostics: [...node.diagnostics, p] });
  }
  return {
    ...analysis,
    nodes,
    graphDiagnostics: [...analysis.graphDiagnostics, ...problems.filter((p) => p.nodeId === undefined)],
    canTrain: analysis.canTrain && !problems.some((p) => p.severity === 'error'),
  };
}
