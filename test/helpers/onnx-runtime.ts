import { createRequire } from 'node:module';

/** ONNX Runtime (onnxruntime-node, CommonJS). */
export const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');

/** A model's output of the given name on one batch, run by ONNX Runtime. */
export async function runtimeOutput(
  model: string | Uint8Array,
  input: { name: string; x: Float32Array; dims: number[] },
  output: string,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model as Uint8Array);
  const results = await session.run({ [input.name]: new ort.Tensor('float32', input.x, input.dims) });
  return results[output].data as Float32Array;
}

/** Per row of scores (logits or probabilities): the top class and its softmax probability. */
export function topClasses(scores: Float32Array, width: number): { best: number; probability: number }[] {
  return Array.from({ length: scores.length / width }, (_, r) => {
    const row = Array.from(scores.subarray(r * width, (r + 1) * width));
    const top = Math.max(...row);
    const best = row.indexOf(top);
    return { best, probability: 1 / row.reduce((s, v) => s + Math.exp(v - top), 0) };
  });
}

/** The share of rows whose top class is the target. */
export function accuracyOf(scores: Float32Array, width: number, targets: ArrayLike<number>): number {
  const tops = topClasses(scores, width);
  return tops.filter((t, i) => t.best === targets[i]).length / tops.length;
}
