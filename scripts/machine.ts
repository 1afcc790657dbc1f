import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * The widest vector instructions this CPU has (Linux's /proc/cpuinfo): PyTorch's BLAS multiplies 8 or 16
 * floats an instruction with AVX2 or AVX-512, where WebAssembly's SIMD, and so Netloom's kernels, has 4.
 */
export function vectorWidth(): string {
  try {
    const flags = new Set(/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/));
    if (flags.has('avx512f')) return 'AVX-512';
    if (flags.has('avx2')) return flags.has('fma') ? 'AVX2 and FMA' : 'AVX2';
    return flags.has('avx') ? 'AVX' : 'SSE';
  } catch {
    return 'unknown';
  }
}

/**
 * The machine as the benchmarks' tables name it: the CPU's model, its cores and its widest vector
 * instructions (two machines that both read "AMD EPYC" can differ 2.5x in PyTorch's products by the last).
 */
export function machineName(): string {
  const width = vectorWidth();
  return `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores${width === 'unknown' ? '' : `, ${width}`})`;
}
