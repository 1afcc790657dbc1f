import { hash32 } from './hash';

/**
 * A layer's own seed: the run's seed mixed with the layer's id, so that two layers that draw random numbers
 * (two Dropout layers of the same size) draw independent masks instead of the same one. FNV-1a over the id's
 * UTF-16 code units, then the run's seed folded in and avalanched by the kernels' own hash. A plain
 * unsigned 32-bit number: the backends take it as a u32.
 */
export function layerSeed(runSeed: number, layerId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < layerId.length; i++) h = Math.imul(h ^ layerId.charCodeAt(i), 0x01000193);
  return hash32(h ^ Math.imul(runSeed >>> 0, 0x9e3779b1));
}
