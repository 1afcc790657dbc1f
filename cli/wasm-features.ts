import { setFlagsFromString } from 'node:v8';
import { kernelsRelaxedWasm } from '../engine/backend/cpu/wasm/kernels-relaxed-wasm';

// Node 20's V8 validates WebAssembly's relaxed SIMD only behind a flag (browsers and Electron have it on):
// turned on, where the kernels built with it do not validate already, before any kernel module is compiled,
// so that the CPU kernels multiply-add in one fused instruction in Node too
// (engine/backend/cpu/wasm/kernels/math.ts). Where the flag is refused the arena falls back to the module
// built without it.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
if (!wasm.validate(Buffer.from(kernelsRelaxedWasm, 'base64'))) {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}
