import type { Training } from '../graph/training-schema';
import { hyperOf, optimizerRules } from '../ops/optimizers';

/** A weight's penalties, by its key in the module's state_dict. */
export interface Penalty {
  key: string;
  l1: number;
  l2: number;
}

/** A number as Python reads it back exactly (JavaScript's shortest round-trip form is valid Python). */
const num = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

/** The schedule as a function of the epoch (from 0), as engine/optim/schedules.ts computes it. */
function schedule(t: Training): string[] {
  const s = t.schedule;
  switch (s.kind) {
    case 'constant':
      return ['    return LEARNING_RATE'];
    case 'exponential':
      return [`    return LEARNING_RATE * math.exp(-${num(s.decay)} * epoch)`];
    case 'step':
      return [`    return LEARNING_RATE * ${num(s.gamma)} ** (epoch // ${s.everyEpochs})`];
    case 'cosine':
      return [
        `    return ${num(s.minLr)} + (LEARNING_RATE - ${num(s.minLr)}) * (1 + math.cos(math.pi * epoch / ${Math.max(1, t.epochs)})) / 2`,
      ];
  }
}

/**
 * The optimizer in PyTorch's formulation, which the engine follows: the operations table's expression
 * (engine/ops/optimizers.ts, the one the PyTorch comparison runs) with this run's values in it.
 */
function optimizer(t: Training): string {
  const h = hyperOf(t.optimizer, 0);
  const values: Record<string, string> = {
    params: 'model.parameters()',
    lr: 'LEARNING_RATE',
    momentum: num(h.momentum),
    rho: num(h.rho),
    eps: num(h.eps),
    beta1: num(h.beta1),
    beta2: num(h.beta2),
  };
  // Names used as values (not the keywords before an `=`).
  return optimizerRules[t.optimizer.kind].torch.replace(/\b(\w+)\b(?!=)/g, (name) => values[name] ?? name);
}

/** The loss, the mean over the batch as the engine reports it; class labels come as int64. */
function loss(t: Training): string[] {
  switch (t.loss.kind) {
    case 'softmax-cross-entropy':
      return ['    return F.cross_entropy(output, y)'];
    case 'mse':
      return [
        '    # Class labels are compared as one-hot vectors.',
        '    target = F.one_hot(y, output.shape[1]).to(output.dtype) if y.dtype == torch.int64 else y',
        '    return F.mse_loss(output, target)',
      ];
    case 'sigmoid-binary-cross-entropy':
      return [
        '    target = y.to(output.dtype).reshape(output.shape) if y.dtype == torch.int64 else y',
        '    return F.binary_cross_entropy_with_logits(output, target)',
      ];
  }
}

/**
 * The share of decisions right, as the engine counts accuracy: the class of the largest output against a
 * class label; for binary cross-entropy each output's yes (a positive logit) against its target above ½;
 * none for values fitted with mean squared error.
 */
function accuracy(t: Training): string[] {
  if (t.loss.kind === 'sigmoid-binary-cross-entropy')
    return [
      '    target = y.reshape(output.shape) if y.dtype == torch.int64 else y',
      '    return ((output > 0) == (target > 0.5)).float().mean().item()',
    ];
  return [
    '    classes = y.dtype == torch.int64 and output.dim() == 2 and output.shape[1] > 1',
    '    return (output.argmax(1) == y).float().mean().item() if classes else None',
  ];
}

/**
 * The training step as the engine takes it: the learning rate of the epoch, the loss, the gradients, the
 * L1/L2 penalties added to the weights' gradients (g += l1 sign(w) + l2 w), clipping by global norm, then
 * the optimizer's update.
 */
export function trainingSource(t: Training, penalties: readonly Penalty[]): string[] {
  return [
    "# Training, with the document's settings as the engine applies them.",
    `LEARNING_RATE = ${num(t.optimizer.lr)}`,
    `EPOCHS = ${t.epochs}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `SEED = ${t.seed}`,
    `CLIP_NORM = ${t.clipNorm === undefined ? 'None' : num(t.clipNorm)}`,
    "# Penalties added to the weights' gradients (not to biases or batch-norm scales): (tensor, L1, L2).",
    'PENALTIES = [',
    ...penalties.map((p) => `    ('${p.key}', ${num(p.l1)}, ${num(p.l2)}),`),
    ']',
    '',
    '',
    'def learning_rate(epoch):',
    `    """The ${t.schedule.kind} schedule, by epoch (from 0)."""`,
    ...schedule(t),
    '',
    '',
    'def loss_of(output, y):',
    ...loss(t),
    '',
    '',
    'def accuracy_of(output, y):',
    ...accuracy(t),
    '',
    '',
    'def make_optimizer(model):',
    `    return ${optimizer(t)}`,
    '',
    '',
    '# Mixed precision on CUDA (--amp): a gradient scaler, set by main().',
    'AMP = None',
    '',
    '',
    'def train_step(model, optimizer, x, y, epoch):',
    '    """One step on the batch (x, y) in the given epoch; returns the loss before the update."""',
    '    model.train()',
    '    for group in optimizer.param_groups:',
    "        group['lr'] = learning_rate(epoch)",
    '    optimizer.zero_grad()',
    "    with torch.autocast('cuda') if AMP is not None else contextlib.nullcontext():",
    '        loss = loss_of(model(x), y)',
    '    if AMP is not None:',
    '        AMP.scale(loss).backward()',
    '        AMP.unscale_(optimizer)',
    '    else:',
    '        loss.backward()',
    "    params = dict(getattr(model, 'module', model).named_parameters())",
    '    with torch.no_grad():',
    '        for name, l1, l2 in PENALTIES:',
    '            w = params[name]',
    '            w.grad.add_(l1 * torch.sign(w) + l2 * w)',
    '    if CLIP_NORM is not None:',
    '        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)',
    '    if AMP is not None:',
    '        AMP.step(optimizer)',
    '        AMP.update()',
    '    else:',
    '        optimizer.step()',
    '    return loss.item()',
  ];
}
