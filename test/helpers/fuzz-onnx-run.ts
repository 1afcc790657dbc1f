/**
 * The ONNX fuzz run, in a process of its own so that its peak memory is its own: seeded mutations of the
 * committed ONNX fixtures and of models Netloom writes, of their bytes or of their decoded fields (sizes,
 * attributes, operator types, wiring), each opened with importOnnx. Each must open or be refused with an
 * EngineError naming the file. Prints one JSON line of results.
 *   node --import tsx test/helpers/fuzz-onnx-run.ts <cases> <seed>
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../engine/errors';
import { parseGraphText } from '../../engine/graph';
import { onnx, type proto } from '../../engine/onnx/builder';
import { exportOnnx } from '../../engine/onnx/export';
import { importOnnx } from '../../engine/onnx/import';
import { initialWeightOf } from '../../engine/train/network-weights';
import { mutate } from './mutate-bytes';
import { pick, seededRandom } from './random';
import { sampleTexts } from './samples';

const [cases, seed] = process.argv.slice(2).map(Number);
const FILE = 'model.onnx';

const fixtures = join(import.meta.dirname, '../fixtures/onnx');

/** A field of the decoded model changed to a value chosen to reach a check. */
function mutateModel(rand: () => number, bytes: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(bytes) as proto.IModelProto;
  const g = m.graph!;
  const nodes = g.node ?? [];
  const tensors = g.initializer ?? [];
  const hostile = () => pick(rand, [0, -1, 1, 2, 3, 7, 1e9, 2 ** 31, -(2 ** 40), 65536]);
  for (let e = 1 + Math.floor(rand() * 3); e > 0; e--)
    switch (pick(rand, ['dims', 'attribute', 'op', 'input', 'output', 'opset', 'drop', 'shape', 'location'] as const)) {
      case 'dims': {
        const t = tensors.length > 0 ? pick(rand, tensors) : undefined;
        if (t?.dims && t.dims.length > 0) t.dims[Math.floor(rand() * t.dims.length)] = hostile();
        break;
      }
      case 'attribute': {
        const a = nodes.length > 0 ? pick(rand, nodes).attribute : undefined;
        const one = a && a.length > 0 ? pick(rand, a) : undefined;
        if (one) {
          if (one.ints && one.ints.length > 0) one.ints[Math.floor(rand() * one.ints.length)] = hostile();
          else one.i = hostile();
          one.f = pick(rand, [Number.NaN, -1, 0, 1e30]);
        }
        break;
      }
      case 'op':
        if (nodes.length > 0)
          pick(rand, nodes).opType = pick(rand, ['Conv', 'LSTM', 'Gemm', 'Reshape', 'Gather', 'Expand', 'Loop', '']);
        break;
      case 'input': {
        const n = nodes.length > 0 ? pick(rand, nodes) : undefined;
        if (n?.input && n.input.length > 0)
          n.input[Math.floor(rand() * n.input.length)] = pick(rand, ['', 'x', 'nothing', n.output?.[0] ?? '']);
        break;
      }
      case 'output': {
        const n = nodes.length > 0 ? pick(rand, nodes) : undefined;
        if (n?.output && n.output.length > 0) n.output[0] = pick(rand, ['x', 'y', '']);
        break;
      }
      case 'opset':
        m.opsetImport = [{ domain: pick(rand, ['', 'com.microsoft']), version: pick(rand, [1, 6, 13, 17, 99]) }];
        break;
      case 'drop':
        if (nodes.length > 0) nodes.splice(Math.floor(rand() * nodes.length), 1);
        break;
      case 'shape': {
        const dim = g.input?.[0]?.type?.tensorType?.shape?.dim;
        if (dim && dim.length > 0) dim[Math.floor(rand() * dim.length)] = { dimValue: hostile() };
        break;
      }
      case 'location': {
        const t = tensors.length > 0 ? pick(rand, tensors) : undefined;
        if (t) t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        break;
      }
    }
  return onnx.ModelProto.encode(m).finish();
}

async function main() {
  // The small fixtures (under 64 KiB: every operator pattern, and fast to mutate ten thousand times).
  const models: Uint8Array[] = readdirSync(fixtures)
    .filter((f) => f.endsWith('.onnx') && statSync(join(fixtures, f)).size < 64 * 1024)
    .map((f) => new Uint8Array(readFileSync(join(fixtures, f))));
  for (const [file, text] of sampleTexts().filter(([f]) => ['lstm.json', 'spiral.json', 'lenet5.json'].includes(f))) {
    const parsed = parseGraphText(text);
    if (!parsed.ok) throw new Error(file);
    models.push(exportOnnx(parsed.document, await initialWeightOf(parsed.document)));
  }
  const rand = seededRandom(seed);
  const open = (bytes: Uint8Array) => importOnnx(bytes, FILE);
  for (let i = 0; i < 50; i++)
    try {
      open(mutate(seededRandom(i), models[i % models.length]));
    } catch {}
  const baselineRss = process.memoryUsage().rss;
  const tally = { opened: 0, refused: 0 };
  const failures: string[] = [];
  let slowest = { ms: 0, case: -1 };
  let peakRss = baselineRss;
  for (let i = 0; i < cases; i++) {
    const source = pick(rand, models);
    const bytes = rand() < 0.5 ? mutate(rand, source) : mutateModel(rand, source);
    if (process.env.FUZZ_DUMP === String(i)) (await import('node:fs')).writeFileSync('/tmp/prof/case.onnx', bytes);
    const started = performance.now();
    try {
      open(bytes);
      tally.opened++;
    } catch (error) {
      const message = (error as Error).message;
      if (!(error instanceof EngineError))
        failures.push(
          `case ${i}: ${(error as Error).name}: ${message.slice(0, 200)}${process.env.FUZZ_STACK ? (error as Error).stack : ''}`,
        );
      else if (!message.includes(FILE)) failures.push(`case ${i}: names no file: ${message.slice(0, 200)}`);
      else tally.refused++;
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, case: i };
    if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.stdout.write(
    `${JSON.stringify({ ...tally, failures: failures.slice(0, 20), slowest, baselineRss, peakRss })}\n`,
  );
}

main();
