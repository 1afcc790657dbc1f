import type { Optimizer } from '../graph/training-schema';

/**
 * The paper's optimizers (chapter 4) in PyTorch's formulation, one entry each: the optimizer state it
 * keeps, its hyper-parameters from the document, the update kernel it runs with that kernel's per-step
 * arguments, PyTorch's constructor (the fixture generator evaluates it) and the example the PyTorch
 * comparison runs. The kinds are this table's keys, so a kind missing a piece is a compile error; the
 * kernels are written once per backend in `optimizerKernels`' order of arguments.
 */

/** Hyper-parameters of one update; the unused ones are ignored by each rule. */
export interface OptimizerHyper {
  lr: number;
  momentum: number;
  rho: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** A kernel argument: a float, or a flag. */
export type KernelArg = number | boolean;

/** The state buffers, the gradient and the parameters a kernel updates; v is slot 1, s slot 2. */
export interface UpdateTensors {
  p: ArrayLike<number> & { [i: number]: number };
  g: ArrayLike<number>;
  v: ArrayLike<number> & { [i: number]: number };
  s: ArrayLike<number> & { [i: number]: number };
  size: number;
}

interface UpdateKernel {
  /** The slots the kernel reads and writes, in the order the WebAssembly kernel takes them. */
  slots: readonly ('slot1' | 'slot2')[];
  /** The readable reference (the CPU's oracle); the WebAssembly and WGSL kernels of the same name match it. */
  reference(t: UpdateTensors, args: KernelArg[]): void;
}

/** The update kernels, by the name every backend gives them (cpu/wasm/kernels/optimizer.ts, shaders/optimizer.wgsl). */
export const optimizerKernels = {
  // p ← p − η g
  sgd: {
    slots: [],
    reference({ p, g, size }, [lr]) {
      for (let i = 0; i < size; i++) p[i] -= (lr as number) * g[i];
    },
  },
  // v ← μ v + g; p ← p − η v (Nesterov: p ← p − η (g + μ v))
  momentum: {
    slots: ['slot1'],
    reference({ p, g, v, size }, [lr, mu, nesterov]) {
      const [eta, m] = [lr as number, mu as number];
      for (let i = 0; i < size; i++) {
        v[i] = m * v[i] + g[i];
        p[i] -= eta * (nesterov ? g[i] + m * v[i] : v[i]);
      }
    },
  },
  // s ← decay s + gain g²; p ← p − η g / (√s + ε)  (Adagrad: 1, 1; RMSprop: ρ, 1 − ρ)
  scaledBySquares: {
    slots: ['slot2'],
    reference({ p, g, s, size }, args) {
      const [lr, decay, gain, eps] = args as number[];
      for (let i = 0; i < size; i++) {
        s[i] = decay * s[i] + gain * g[i] * g[i];
        p[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + eps);
      }
    },
  },
  // s ← ρ s + (1−ρ) g²; Δ = √(u+ε)/√(s+ε) g; u ← ρ u + (1−ρ) Δ²; p ← p − η Δ  (u in slot 1)
  adadelta: {
    slots: ['slot1', 'slot2'],
    reference({ p, g, v: u, s, size }, args) {
      const [lr, rho, eps] = args as number[];
      for (let i = 0; i < size; i++) {
        s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
        const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(s[i] + eps)) * g[i];
        u[i] = rho * u[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
    },
  },
  // v ← β₁ v + (1−β₁) g; s ← β₂ s + (1−β₂) g²; p ← p − stepSize · v / (√s / √(1−β₂ᵗ) + ε)
  adam: {
    slots: ['slot1', 'slot2'],
    reference({ p, g, v, s, size }, args) {
      const [stepSize, beta1, beta2, sqrtCorrection2, eps] = args as number[];
      for (let i = 0; i < size; i++) {
        v[i] = beta1 * v[i] + (1 - beta1) * g[i];
        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= (stepSize * v[i]) / (Math.sqrt(s[i]) / sqrtCorrection2 + eps);
      }
    },
  },
} satisfies Record<string, UpdateKernel>;

export type OptimizerKernel = keyof typeof optimizerKernels;

type OptimizerOf<K extends string> = Extract<Optimizer, { kind: K }>;

interface OptimizerRule<K extends string> {
  /** Parameter-sized state buffers it keeps (memory is planned from this). */
  slots: 0 | 1 | 2;
  /** Its hyper-parameters from the document's settings. */
  hyper(opt: OptimizerOf<K>): Partial<OptimizerHyper>;
  /** The kernel it runs and that kernel's arguments at step t (from 1). */
  kernel(h: OptimizerHyper, t: number): [OptimizerKernel, KernelArg[]];
  /** PyTorch's optimizer, a Python expression in params and the hyper-parameters' names. */
  torch: string;
  /** The hyper-parameters the comparison with PyTorch runs. */
  example: Partial<OptimizerHyper> & { lr: number };
}

const defineRules = <T extends { [K in keyof T]: OptimizerRule<K & string> }>(rules: T): T => rules;

export const optimizerRules = defineRules({
  sgd: {
    slots: 0,
    hyper: () => ({}),
    kernel: (h) => ['sgd', [h.lr]],
    torch: 'torch.optim.SGD(params, lr=lr)',
    example: { lr: 0.1 },
  },
  momentum: {
    slots: 1,
    hyper: (o) => ({ momentum: o.momentum }),
    kernel: (h) => ['momentum', [h.lr, h.momentum, false]],
    torch: 'torch.optim.SGD(params, lr=lr, momentum=momentum)',
    example: { lr: 0.05, momentum: 0.8 },
  },
  nesterov: {
    slots: 1,
    hyper: (o) => ({ momentum: o.momentum }),
    kernel: (h) => ['momentum', [h.lr, h.momentum, true]],
    torch: 'torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)',
    example: { lr: 0.05, momentum: 0.9 },
  },
  adagrad: {
    slots: 2,
    hyper: (o) => ({ eps: o.eps }),
    kernel: (h) => ['scaledBySquares', [h.lr, 1, 1, h.eps]],
    torch: 'torch.optim.Adagrad(params, lr=lr, eps=eps)',
    example: { lr: 0.1, eps: 1e-10 },
  },
  rmsprop: {
    slots: 2,
    hyper: (o) => ({ rho: o.rho, eps: o.eps }),
    kernel: (h) => ['scaledBySquares', [h.lr, h.rho, 1 - h.rho, h.eps]],
    torch: 'torch.optim.RMSprop(params, lr=lr, alpha=rho, eps=eps)',
    example: { lr: 0.01, rho: 0.95, eps: 1e-8 },
  },
  adadelta: {
    slots: 2,
    hyper: (o) => ({ rho: o.rho, eps: o.eps }),
    kernel: (h) => ['adadelta', [h.lr, h.rho, h.eps]],
    torch: 'torch.optim.Adadelta(params, lr=lr, rho=rho, eps=eps)',
    example: { lr: 1.0, rho: 0.9, eps: 1e-6 },
  },
  adam: {
    slots: 2,
    hyper: (o) => ({ beta1: o.beta1, beta2: o.beta2, eps: o.eps }),
    // Bias corrections folded into the step size and the second moment's scale, as PyTorch computes them.
    kernel: (h, t) => ['adam', [h.lr / (1 - h.beta1 ** t), h.beta1, h.beta2, Math.sqrt(1 - h.beta2 ** t), h.eps]],
    torch: 'torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)',
    example: { lr: 0.01, beta1: 0.85, beta2: 0.995, eps: 1e-8 },
  },
});

export type OptimizerKind = keyof typeof optimizerRules;
export const optimizerKinds = Object.keys(optimizerRules) as OptimizerKind[];

/** The document's optimizer settings as the kernel's hyper-parameters (absent ones are unused). */
export function hyperOf(opt: Optimizer, lr: number): OptimizerHyper {
  const rule = optimizerRules[opt.kind] as OptimizerRule<string>;
  return { lr, momentum: 0, rho: 0, beta1: 0, beta2: 0, eps: 0, ...rule.hyper(opt as never) };
}

/** The kernel and arguments of one update of this kind at step t. */
export const updateOf = (kind: OptimizerKind, h: OptimizerHyper, t: number) =>
  (optimizerRules[kind] as OptimizerRule<string>).kernel(h, t);
