import type { OptimizerHyper, OptimizerKind } from '../backend/backend';
import type { Optimizer } from '../graph/training-schema';

/**
 * Optimizers as explicit state plus a pure update (the update itself is a backend kernel over the flat
 * parameter buffer): `slots` says how many parameter-sized state buffers each needs.
 */
export const optimizerSlots: { [K in OptimizerKind]: 0 | 1 | 2 } = {
  sgd: 0,
  momentum: 1,
  nesterov: 1,
  adagrad: 2,
  rmsprop: 2,
  adadelta: 2,
  adam: 2,
};

/** The document's optimizer settings as the kernel's hyper-parameters (absent ones are unused). */
export function hyperOf(opt: Optimizer, lr: number): OptimizerHyper {
  const h: OptimizerHyper = { lr, momentum: 0, rho: 0, beta1: 0, beta2: 0, eps: 0 };
  switch (opt.kind) {
    case 'momentum':
    case 'nesterov':
      h.momentum = opt.momentum;
      break;
    case 'adagrad':
      h.eps = opt.eps;
      break;
    case 'rmsprop':
    case 'adadelta':
      h.rho = opt.rho;
      h.eps = opt.eps;
      break;
    case 'adam':
      h.beta1 = opt.beta1;
      h.beta2 = opt.beta2;
      h.eps = opt.eps;
      break;
  }
  return h;
}
