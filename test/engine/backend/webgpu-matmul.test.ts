import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../engine/backend/backend';
import { MATMUL_TILES } from '../../../engine/backend/webgpu/gpu-queue';
import {
  fitTile,
  type MatmulTile,
  matmulShader,
  TRANSPOSITIONS,
  workgroupBytes,
} from '../../../engine/backend/webgpu/matmul-shader';
import { SWEEP_TILES } from '../../../scripts/bench-gpu-tiles';
import { openBrowserGpuBackend, type RemoteGpuBackend } from '../../helpers/browser-gpu/remote-backend';
import { data, expectClose, onBothOf, randoms } from '../../helpers/gpu-compare';
import { HANG_MS } from '../../helpers/hang-guard';

/**
 * The generated matrix-product kernel on WebGPU (Chromium, SwiftShader) against the CPU reference, for every
 * tile size and transposition: a page of its own, so that it runs beside the other GPU tests (each tile's
 * kernels take seconds to compile on a software GPU).
 */
let gpu: RemoteGpuBackend;

/** The limit catches a hang only; the work is fixed. */
beforeAll(async () => {
  gpu = await openBrowserGpuBackend();
}, HANG_MS);
afterAll(() => gpu?.close());

describe('matrix products on WebGPU match the CPU', () => {
  // Each tile size on the same page and device (a product variant compiles only the product's kernels), a
  // test each. The chosen tiles take every shape; the others the shapes that cross their tiles' edges.
  it.each(['the chosen tiles', 'matmulLarge', 'matmulMedium'] as const)(
    'matrix products across tile edges, transposed and accumulated, with %s',
    async (tiles) => {
      if (tiles === 'the chosen tiles') await products(gpu, EVERY_SHAPE);
      else await products(gpu.productVariant({ matmulTiles: tiles }), EDGE_SHAPES);
    },
  );

  // Other shapes of the generated kernel: prefetched, taller than wide, wider than tall (each within
  // SwiftShader's 16 KiB of workgroup memory, so fitTile leaves them as they are; 8 x 8 per thread is
  // matmulLarge's tile as fitted here). The benchmark's tiles take neither and both operands transposed:
  // each operand's two ways of loading its tile (a kernel of its own compiles for seconds on SwiftShader).
  it.each<MatmulTile>([
    { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4, prefetch: true },
    { BM: 128, BN: 64, BK: 8, TM: 8, TN: 4, prefetch: true },
    { BM: 64, BN: 128, BK: 4, TM: 4, TN: 8, prefetch: true },
  ])('matrix products with the tile %o', async (tile) => {
    expect(workgroupBytes(tile)).toBeLessThanOrEqual(16384);
    await products(
      gpu.productVariant({ matmulTiles: 'matmulLarge', tiles: { ...MATMUL_TILES, matmulLarge: tile } }),
      EDGE_SHAPES,
      [false, true].map((t) => [t, t]),
    );
  });

  it('matmulLarge as fitted to SwiftShader is the 8 x 8 per thread tile without prefetching', () => {
    expect(fitTile(MATMUL_TILES.matmulLarge, 16384)).toEqual({
      BM: 128,
      BN: 128,
      BK: 8,
      TM: 8,
      TN: 8,
      prefetch: false,
    });
  });
});

type Shape = [m: number, n: number, k: number];

/**
 * Products (m, n, k) that cross a tile's edges (partial tiles in every direction, a single row, K split in
 * two and summed after); the chosen tiles also take a whole 64 x 64 x 64 tile and one more uneven product.
 * On a software GPU a product of this size takes a tenth of a second or more: each shape is there for an edge.
 */
const EDGE_SHAPES: Shape[] = [
  [130, 129, 20],
  [1, 65, 17],
  [5, 7, 600],
];
const EVERY_SHAPE: Shape[] = [...EDGE_SHAPES, [70, 130, 33], [64, 64, 64]];

const EVERY_TRANSPOSITION = [false, true].flatMap((transA) => [false, true].map((transB) => [transA, transB]));

/** Products of the given shapes and transpositions (of A, of B) on one WebGPU backend, each against the CPU. */
async function products(on: Backend, shapes: Shape[], transpositions = EVERY_TRANSPOSITION): Promise<void> {
  for (const [m, n, k] of shapes)
    for (const [transA, transB] of transpositions) {
      const [a, b] = await onBothOf(on, async (be) => {
        const out = data(be, randoms(m * n, 30));
        const bias = transA === transB ? data(be, randoms(n, 33)) : undefined;
        // op(B)'s column sums (a bias's gradient), a plain B's and a transposed one's.
        const sums = data(be, randoms(n, 34));
        be.matmul({
          a: data(be, randoms(m * k, 31)),
          b: data(be, randoms(k * n, 32)),
          out,
          m,
          n,
          k,
          transA,
          transB,
          accumulate: transA || !transB,
          bias,
          bColumnSums: sums,
        });
        return [await be.read(out), await be.read(sums)];
      });
      expectClose(a[0], b[0], `${m}x${k}x${n} ${transA} ${transB} ${transA === transB ? 'bias' : ''}`);
      expectClose(a[1], b[1], `${m}x${k}x${n} ${transA} ${transB} column sums`);
    }
}

describe('matrix-product shaders', () => {
  it('every tile the benchmark sweeps compiles, in every transposition', async () => {
    for (const tile of SWEEP_TILES)
      for (const t of TRANSPOSITIONS)
        expect(
          await gpu.shaderError('matmul', matmulShader(tile, t, 'product')),
          `${JSON.stringify(tile)} ${t}`,
        ).toBeNull();
  });

  it('a tile too big for the workgroup memory loses its prefetching, then K step, until it fits', () => {
    const big = { BM: 128, BN: 128, BK: 16, TM: 8, TN: 8, prefetch: true };
    expect(workgroupBytes(big)).toBe(2 * 16 * (33 + 33) * 16);
    expect(fitTile(big, 49152)).toEqual(big);
    expect(fitTile(big, 32768)).toEqual({ ...big, prefetch: false });
    expect(fitTile(big, 16384)).toEqual({ ...big, prefetch: false, BK: 8 });
  });
});
