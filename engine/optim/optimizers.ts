import { type OptimizerKind, optimizerRules } from '../ops/optimizers';

export { hyperOf } from '../ops/optimizers';

/** Parameter-sized state buffers each optimizer keeps, from the operations' table. */
export const optimizerSlots = Object.fromEntries(
  Object.entries(optimizerRules).map(([kind, rule]) => [kind, rule.slots]),
) as { [K in OptimizerKind]: 0 | 1 | 2 };
