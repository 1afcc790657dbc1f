import type { Backend, Buf, LstmStep, LstmStepBackward } from './backend';

/** An LSTM step forward and backward on a backend: its fused kernels, or the same step composed. */
export interface LstmSteps<B extends Buf> {
  forward(args: LstmStep<B>): void;
  backward(args: LstmStepBackward<B>): void;
}

/**
 * The backend's fused LSTM steps (one kernel each on the GPU, where a step's dispatches cost more than its
 * arithmetic; on the CPU, product and cell per band of samples with the weights packed once a pass, and no
 * copies), or the step composed from the product, the cell and strided copies: the same numbers up to the
 * order of a sum's terms.
 */
export function lstmSteps<B extends Buf>(be: Backend<B>): LstmSteps<B> {
  if (be.lstmStep && be.lstmStepBackward)
    return { forward: (a) => be.lstmStep?.(a), backward: (a) => be.lstmStepBackward?.(a) };
  return { forward: (a) => composedStep(be, a), backward: (a) => composedStepBackward(be, a) };
}

/** The step forward from the product, the cell and strided copies (what a fused kernel does in one). */
export function composedStep<B extends Buf>(be: Backend<B>, a: LstmStep<B>): void {
  const { n, u } = a;
  const wu = 4 * u;
  // z = p + h Wh, in the gates' buffer (the cell activates it in place).
  be.copyBlocks({
    src: a.projected,
    srcOffset: a.pOffset,
    srcStride: a.pStride,
    out: a.gates,
    outOffset: 0,
    outStride: wu,
    blocks: n,
    blockSize: wu,
    accumulate: false,
  });
  be.matmul({ a: a.h, b: a.wh, out: a.gates, m: n, n: wu, k: u, transA: false, transB: false, accumulate: true });
  be.lstmCell({ gates: a.gates, cPrev: a.cPrev, c: a.c, h: a.hNext, n, u });
  if (a.y)
    be.copyBlocks({
      src: a.hNext,
      srcOffset: 0,
      srcStride: u,
      out: a.y,
      outOffset: a.yOffset,
      outStride: a.yStride,
      blocks: n,
      blockSize: u,
      accumulate: false,
    });
}

/** The step backward from the product, the cell's backward and strided copies. */
export function composedStepBackward<B extends Buf>(be: Backend<B>, a: LstmStepBackward<B>): void {
  const { n, u, dh } = a;
  const wu = 4 * u;
  if (a.dy)
    be.copyBlocks({
      src: a.dy,
      srcOffset: a.dyOffset,
      srcStride: a.dyStride,
      out: dh,
      outOffset: 0,
      outStride: u,
      blocks: n,
      blockSize: u,
      accumulate: false,
    });
  else be.fill(dh, 0, n * u);
  if (a.dzNext)
    be.matmul({ a: a.dzNext, b: a.wh, out: dh, m: n, n: u, k: wu, transA: false, transB: true, accumulate: true });
  be.lstmCellBackward({ gates: a.gates, cPrev: a.cPrev, c: a.c, dh, dc: a.dc, dGates: a.dz, n, u });
  be.copyBlocks({
    src: a.dz,
    srcOffset: 0,
    srcStride: wu,
    out: a.dProjected,
    outOffset: a.pOffset,
    outStride: a.pStride,
    blocks: n,
    blockSize: wu,
    accumulate: false,
  });
}
