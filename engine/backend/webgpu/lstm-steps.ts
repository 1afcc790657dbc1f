import type { Backend } from '../backend';
import type { GpuBuf } from './gpu-memory';
import type { Workgroups } from './gpu-queue';
import { type KernelArgs, type KernelName, NONE } from './kernel-params';

/** A fused LSTM step's workgroup: units by samples (STEP_UNITS, STEP_ROWS in recurrent.wgsl). */
const STEP_UNITS = 16;
const STEP_ROWS = 8;
/**
 * The most pre-activations (samples × 4 units) a fused LSTM step takes: a small batch's step costs its
 * dispatches more than its arithmetic, and one kernel does it best (at batch 64 on an H200); a large one's
 * products run faster in the tiled product kernels (at batch 1024, the step composed of product and cell).
 */
const FUSED_STEP_MAX = 131072;

/** A fused LSTM step's workgroups: STEP_UNITS units (x) by STEP_ROWS samples (y) each. */
const stepGrid = (n: number, u: number): Workgroups => ({ x: Math.ceil(u / STEP_UNITS), y: Math.ceil(n / STEP_ROWS) });

/** Records a kernel with its arguments (the backend's `run`). */
type Run = <N extends KernelName>(kernel: N, args: KernelArgs<N>, threads: number | Workgroups) => void;

/**
 * The WebGPU backend's LSTM steps: one kernel each way for a small batch (recurrent.wgsl); for a large one,
 * the backend's tiled product and then one kernel for the rest of the step (lstmStepCell: the projection
 * added, the cell, h into y; lstmStepCellBackward: dy's part added, the cell's backward, dz into dProjected),
 * two dispatches a step each way where the composed step (lstm-step.ts) takes four.
 */
export function webGpuLstmSteps(
  run: Run,
  backend: () => Backend<GpuBuf>,
): Pick<Backend<GpuBuf>, 'lstmStep' | 'lstmStepBackward'> {
  return {
    lstmStep(a) {
      const { n, u } = a;
      // What the cell needs, the same whether the product runs in the fused kernel or before it.
      const cell = {
        projected: a.projected.offset + a.pOffset,
        pStride: a.pStride,
        gates: a.gates.offset,
        cPrev: a.cPrev.offset,
        c: a.c.offset,
        hNext: a.hNext.offset,
        y: a.y ? a.y.offset + a.yOffset : NONE,
        yStride: a.yStride,
        n,
        units: u,
      };
      if (n * 4 * u <= FUSED_STEP_MAX)
        return run('lstmStep', { ...cell, h: a.h.offset, wh: a.wh.offset }, stepGrid(n, u));
      const product = { a: a.h, b: a.wh, out: a.gates, m: n, n: 4 * u, k: u, transA: false, transB: false };
      backend().matmul({ ...product, accumulate: false });
      run('lstmStepCell', cell, n * u);
    },
    lstmStepBackward(a) {
      const { n, u } = a;
      const cell = {
        dy: a.dy ? a.dy.offset + a.dyOffset : NONE,
        dyStride: a.dyStride,
        gates: a.gates.offset,
        cPrev: a.cPrev.offset,
        c: a.c.offset,
        dc: a.dc.offset,
        dz: a.dz.offset,
        dProjected: a.dProjected.offset + a.pOffset,
        pStride: a.pStride,
        n,
        units: u,
      };
      const dzNext = a.dzNext ? a.dzNext.offset : NONE;
      if (n * 4 * u <= FUSED_STEP_MAX)
        return run('lstmStepBackward', { ...cell, dzNext, wh: a.wh.offset }, stepGrid(n, u));
      if (a.dzNext)
        backend().matmul({
          a: a.dzNext,
          b: a.wh,
          out: a.dh,
          m: n,
          n: u,
          k: 4 * u,
          transA: false,
          transB: true,
          accumulate: false,
        });
      run('lstmStepCellBackward', { ...cell, dh: a.dzNext ? a.dh.offset : NONE }, n * u);
    },
  };
}
