import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument } from './schema';

/** What File > New opens: no layers, and training settings that suit Fashion-MNIST. */
export function emptyDocument(): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: 'Untitled',
    nodes: [],
    edges: [],
    training: {
      dataset: { source: 'sample', name: 'fashion-mnist-small' },
      validation: { split: 0.1 },
      loss: { kind: 'softmax-cross-entropy' },
      optimizer: { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      schedule: { kind: 'constant' },
      regularization: { l1: 0, l2: 0 },
      sampling: 'mini-batch',
      batchSize: 64,
      epochs: 5,
      seed: 42,
      backend: 'auto',
    },
  };
}
