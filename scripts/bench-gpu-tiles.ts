import type { MatmulTile } from '../engine/backend/webgpu/matmul-shader';

/**
 * Tiles of the large product kernel tried by --sweep (each fitted to the device's workgroup memory, see
 * fitTile): block sizes, outputs per thread, K step, and prefetching.
 */
export const SWEEP_TILES: MatmulTile[] = [
  { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4 },
  { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 },
  { BM: 64, BN: 64, BK: 8, TM: 4, TN: 4, prefetch: true },
  { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4, prefetch: true },
  { BM: 64, BN: 64, BK: 32, TM: 4, TN: 4, prefetch: true },
  { BM: 64, BN: 64, BK: 16, TM: 8, TN: 4, prefetch: true },
  { BM: 64, BN: 64, BK: 16, TM: 4, TN: 8, prefetch: true },
  { BM: 64, BN: 64, BK: 16, TM: 8, TN: 8, prefetch: true },
  { BM: 128, BN: 64, BK: 8, TM: 8, TN: 4, prefetch: true },
  { BM: 128, BN: 64, BK: 16, TM: 8, TN: 4, prefetch: true },
  { BM: 64, BN: 128, BK: 8, TM: 4, TN: 8, prefetch: true },
  { BM: 64, BN: 128, BK: 16, TM: 4, TN: 8, prefetch: true },
  { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 },
  { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, prefetch: true },
  { BM: 128, BN: 128, BK: 16, TM: 8, TN: 8, prefetch: true },
  { BM: 128, BN: 64, BK: 32, TM: 8, TN: 4, prefetch: true },
];
