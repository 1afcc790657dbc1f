/**
 * The element-wise activations (the paper's chapter 4), one entry each: the reference function and its
 * derivative (the CPU's oracle), the same two as WGSL expressions (the GPU kernel's switch is generated
 * from this table), and PyTorch's expression (the fixture generator evaluates it). `alpha` is leaky-ReLU's
 * slope or ELU's α. Every backend derives its list of operations from these keys, so an operation missing
 * one of its pieces is a compile error, not a kernel that passes its input through.
 */
export interface ActivationOp {
  forward(x: number, alpha: number): number;
  /** dL/dx from x, y = f(x) and dL/dy. */
  backward(x: number, y: number, dy: number, alpha: number): number;
  /** WGSL expressions: the forward in x and alpha; the backward in x, y, dy and alpha. */
  wgsl: { forward: string; backward: string };
  /** A Python expression in x (a tensor), alpha, torch and F (torch.nn.functional). */
  torch: string;
}

export const activationOps = {
  sigmoid: {
    forward: (x) => 1 / (1 + Math.exp(-x)),
    backward: (_x, y, dy) => dy * y * (1 - y), // σ' = σ(1 − σ)
    wgsl: { forward: '1.0 / (1.0 + exp(-x))', backward: 'dy * y * (1.0 - y)' },
    torch: 'torch.sigmoid(x)',
  },
  tanh: {
    forward: (x) => Math.tanh(x),
    backward: (_x, y, dy) => dy * (1 - y * y), // tanh' = 1 − tanh²
    wgsl: { forward: 'tanhSafe(x)', backward: 'dy * (1.0 - y * y)' },
    torch: 'torch.tanh(x)',
  },
  relu: {
    // NaN stays NaN (as PyTorch), so a non-finite value is found where it arises.
    forward: (x) => (x > 0 || Number.isNaN(x) ? x : 0),
    backward: (x, _y, dy) => (x > 0 ? dy : 0), // derivative 0 at x = 0, as PyTorch
    wgsl: { forward: 'select(0.0, x, x > 0.0 || x != x)', backward: 'select(0.0, dy, x > 0.0)' },
    torch: 'torch.relu(x)',
  },
  'leaky-relu': {
    forward: (x, alpha) => (x > 0 ? x : alpha * x),
    backward: (x, _y, dy, alpha) => (x > 0 ? dy : alpha * dy),
    wgsl: { forward: 'select(alpha * x, x, x > 0.0)', backward: 'select(alpha * dy, dy, x > 0.0)' },
    torch: 'F.leaky_relu(x, alpha)',
  },
  elu: {
    forward: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)),
    backward: (x, y, dy, alpha) => (x > 0 ? dy : dy * (y + alpha)), // for x ≤ 0: α eˣ = y + α
    wgsl: { forward: 'select(alpha * (exp(x) - 1.0), x, x > 0.0)', backward: 'select(dy * (y + alpha), dy, x > 0.0)' },
    torch: 'F.elu(x, alpha)',
  },
  linear: {
    forward: (x) => x,
    backward: (_x, _y, dy) => dy,
    wgsl: { forward: 'x', backward: 'dy' },
    torch: 'x * 1',
  },
} satisfies Record<string, ActivationOp>;

export type UnaryOp = keyof typeof activationOps;

/** The operations in table order: an operation's code in the GPU kernel is its place here. */
export const unaryOps = Object.keys(activationOps) as UnaryOp[];

/** The WGSL `switch` cases of the unary kernels, one per operation (see scripts/build-shaders.ts). */
export function unaryWgslCases(which: 'forward' | 'backward'): string {
  const target = which === 'forward' ? 'y' : 'd';
  return unaryOps
    .map((op, code) => `    case ${code}u: { ${target} = ${activationOps[op].wgsl[which]}; } // ${op}`)
    .join('\n');
}
