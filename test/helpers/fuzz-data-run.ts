/**
 * The data-file fuzz run, in a process of its own so that its peak memory is its own: seeded mutations of
 * small IDX, CSV, PNG and JPEG files and of checkpoints, each loaded under a declared memory budget. Each
 * must load or be refused with an EngineError naming its file. Prints one JSON line of results.
 *   node --import tsx test/helpers/fuzz-data-run.ts <cases> <seed>
 * With FUZZ_MESSAGES=1 every refusal is also written to standard error (to see which checks the cases reach).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { datasetFromFiles, type PickedFile } from '../../engine/data/from-files';
import { DATA_LIMITS, type DataLimits } from '../../engine/data/limits';
import { barsData } from '../../engine/data/synthetic';
import { EngineError } from '../../engine/errors';
import { crc32 } from '../../engine/files/crc32';
import { emptyDocument, type GraphDocument } from '../../engine/graph';
import { decodeCheckpoint, encodeCheckpoint } from '../../engine/train/checkpoint';
import { Trainer } from '../../engine/train/trainer';
import { chain } from './graphs';
import { mutate } from './mutate-bytes';
import { pick, seededRandom } from './random';

const [cases, seed] = process.argv.slice(2).map(Number);
const MiB = 1024 ** 2;
/** The budget the run declares: what a dataset may take, and what a compressed file may expand to. */
export const FUZZ_LIMITS: DataLimits = {
  ...DATA_LIMITS,
  fileBytes: 4 * MiB,
  unpackedBytes: 16 * MiB,
  datasetBytes: 64 * MiB,
  imagePixels: 4_000_000,
  textBytes: 16 * MiB,
};

function idx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return new Uint8Array(Buffer.concat([header, Buffer.from(Uint8Array.from(values))]));
}

const bars = barsData(24, 6, 0.2, 1);
const idxImages = idx(
  [24, 6, 6],
  Array.from(bars.x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
);
const idxLabels = idx([24], bars.targets);
const csvText = new TextEncoder().encode(
  `a,b,c,label\n${Array.from({ length: 20 }, (_, i) => `${i * 0.5},${-i},${i % 3}.25,${['cat', 'dog'][i % 2]}`).join('\n')}\n`,
);
const imageDir = join(import.meta.dirname, '../fixtures/images');
const images = [
  'gray-1.png',
  'palette-4.png',
  'rgba-16.png',
  'rgb-8-interlaced.png',
  'jpeg-gray.jpg',
  'jpeg-rgb-420.jpg',
].map((f) => new Uint8Array(readFileSync(join(imageDir, f))));

function docWith(dataset: GraphDocument['training']['dataset'], shape = [1, 6, 6]): GraphDocument {
  const doc = emptyDocument();
  doc.nodes = [{ id: 'input', kind: 'input', position: { x: 0, y: 0 }, params: { shape } }] as GraphDocument['nodes'];
  doc.training.dataset = dataset;
  return doc;
}

const checkpointDoc = chain([1, 6, 6], [['flatten'], ['dense', { units: 4 }], ['batchnorm'], ['dense', { units: 2 }]], {
  optimizer: { kind: 'adam', lr: 0.01 },
  batchSize: 8,
});

const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b));

interface Case {
  names: string[];
  run(): Promise<unknown>;
}

function makeCase(rand: () => number, checkpoint: Uint8Array): Case {
  const kind = pick(rand, ['idx', 'idx-gz', 'csv', 'csv-gz', 'png', 'jpeg', 'checkpoint'] as const);
  const load = (doc: GraphDocument, files: PickedFile[]) => () => datasetFromFiles(doc, files, undefined, FUZZ_LIMITS);
  switch (kind) {
    case 'idx':
    case 'idx-gz': {
      const wrap = kind === 'idx-gz' ? gz : (b: Uint8Array) => b;
      // Mutate before or after compressing: both reach the reader.
      const one = (b: Uint8Array) => (rand() < 0.5 ? wrap(mutate(rand, b)) : mutate(rand, wrap(b)));
      const [imagesBytes, labelsBytes] =
        rand() < 0.7 ? [one(idxImages), wrap(idxLabels)] : [wrap(idxImages), one(idxLabels)];
      const doc = docWith({ source: 'idx', images: 'img.idx', labels: 'lab.idx' });
      return {
        names: ['img.idx', 'lab.idx'],
        run: load(doc, [
          { path: 'img.idx', bytes: imagesBytes },
          { path: 'lab.idx', bytes: labelsBytes },
        ]),
      };
    }
    case 'csv':
    case 'csv-gz': {
      const bytes =
        kind === 'csv-gz'
          ? rand() < 0.5
            ? gz(mutate(rand, csvText))
            : mutate(rand, gz(csvText))
          : mutate(rand, csvText);
      const doc = docWith({ source: 'csv', path: 'd.csv', labelColumn: 'label', normalise: 'z-score' }, [3]);
      return { names: ['d.csv'], run: load(doc, [{ path: 'd.csv', bytes }]) };
    }
    case 'png':
    case 'jpeg': {
      const pool = images.filter((_, i) => (kind === 'png' ? i < 4 : i >= 4));
      const files = [0, 1, 2].map((i) => ({
        path: `c${i % 2}/${i}.${kind === 'png' ? 'png' : 'jpg'}`,
        bytes: i === 0 ? mutate(rand, pick(rand, pool)) : pick(rand, pool),
      }));
      const doc = docWith({ source: 'image-folder', path: 'imgs', grayscale: false }, [pick(rand, [1, 3]), 8, 8]);
      return { names: ['imgs'], run: load(doc, files) };
    }
    case 'checkpoint': {
      const bytes = mutate(rand, checkpoint);
      // Half the time the checksum is made to match, so that the field checks are what stands.
      if (rand() < 0.5 && bytes.length >= 16)
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(12, crc32(bytes.subarray(16)), true);
      return {
        names: ['run.ckpt'],
        run: async () => {
          const cp = decodeCheckpoint(bytes, 'run.ckpt');
          new Trainer(checkpointDoc, createCpuBackend(), bars).restore(cp, 'run.ckpt');
        },
      };
    }
  }
}

/**
 * The process's peak resident memory from `resetPeak()` on, in bytes: Linux's VmHWM, which writing 5 to
 * clear_refs resets, so that starting up (the bundle compiled, the warm-up) is not counted against the
 * cases. Elsewhere the process's whole peak (getrusage), which includes it.
 */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
function peakSinceReset(reset: boolean): number {
  const hwm = reset ? /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] : undefined;
  return hwm ? Number(hwm) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function main() {
  const trainer = new Trainer(checkpointDoc, createCpuBackend(), bars);
  await trainer.runSteps(5);
  const checkpoint = encodeCheckpoint(await trainer.checkpoint());
  const rand = seededRandom(seed);
  // Warm up (modules, the JIT) before the baseline is taken.
  for (let i = 0; i < 50; i++)
    await makeCase(seededRandom(i), checkpoint)
      .run()
      .catch(() => {});
  const baselineRss = process.memoryUsage().rss;
  const startupPeakRss = process.resourceUsage().maxRSS * 1024;
  const reset = resetPeak();
  const tally = { loaded: 0, refused: 0 };
  const failures: string[] = [];
  let slowest = { ms: 0, case: -1 };
  // What the process held at its largest reading between cases: the heap against the buffers outside it
  // (a peak made of heap is collection lag; one made of buffers is what a case kept).
  let largest = { rss: 0, heapTotal: 0, arrayBuffers: 0, case: -1 };
  let steepest = { rise: 0, case: -1, kind: '' };
  let peakBefore = peakSinceReset(reset);
  for (let i = 0; i < cases; i++) {
    const c = makeCase(rand, checkpoint);
    const started = performance.now();
    try {
      await c.run();
      tally.loaded++;
    } catch (error) {
      const message = (error as Error).message;
      if (!(error instanceof EngineError))
        failures.push(`case ${i}: ${(error as Error).name}: ${message.slice(0, 200)}`);
      else if (!c.names.some((n) => message.includes(n)))
        failures.push(`case ${i}: names no file: ${message.slice(0, 200)}`);
      else {
        tally.refused++;
        if (process.env.FUZZ_MESSAGES) console.error(message.replace(/[0-9]+/g, 'N').slice(0, 90));
      }
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, case: i };
    const { rss, heapTotal, arrayBuffers } = process.memoryUsage();
    if (rss > largest.rss) largest = { rss, heapTotal, arrayBuffers, case: i };
    // The case in which the process's peak rose most (a peak inside a case is gone by the next reading).
    const peak = peakSinceReset(reset);
    if (peak - peakBefore > steepest.rise) steepest = { rise: peak - peakBefore, case: i, kind: c.names.join('+') };
    peakBefore = peak;
  }
  const peakRss = peakSinceReset(reset);
  console.log(
    JSON.stringify({
      cases,
      ...tally,
      failures: failures.slice(0, 20),
      failureCount: failures.length,
      slowest,
      budgetBytes: FUZZ_LIMITS.datasetBytes,
      baselineRss,
      startupPeakRss,
      peakRss,
      largest,
      steepest,
    }),
  );
}

await main();
