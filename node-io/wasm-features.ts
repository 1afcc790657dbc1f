import { setFlagsFromString } from 'node:v8';

// Node 20's V8 validates WebAssembly's relaxed SIMD only behind a flag (browsers and Electron have it on):
// turned on before any kernel module is compiled, so that the CPU kernels multiply-add in one fused
// instruction in Node too (engine/backend/cpu/wasm/kernels/math.ts). Where the flag is refused the arena
// falls back to the module built without it.
setFlagsFromString('--experimental-wasm-relaxed-simd');
