import type { EpochMetrics, StepMetrics } from '../engine/train/trainer';

const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);

/** One line per epoch, and a progress bar redrawn in place while the epoch runs (on a terminal). */
export function progressPrinter(epochs: number, batchesPerEpoch: number, batchSize: number, out: NodeJS.WriteStream) {
  let started = performance.now();
  let lastDraw = 0;
  return {
    onStep(m: StepMetrics) {
      if (!out.isTTY) return;
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const inEpoch = ((m.step - 1) % batchesPerEpoch) + 1;
      const done = Math.round((20 * inEpoch) / batchesPerEpoch);
      const rate = (inEpoch * batchSize) / ((now - started) / 1000);
      out.write(
        `\repoch ${m.epoch + 1}/${epochs} [${'#'.repeat(done)}${'.'.repeat(20 - done)}] loss ${m.loss.toFixed(4)} ${pct(m.accuracy)} ${Math.round(rate)} samples/s `,
      );
    },
    onEpoch(m: EpochMetrics) {
      const val = m.valLoss === undefined ? '' : `  val loss ${m.valLoss.toFixed(4)} ${pct(m.valAccuracy)}`;
      out.write(
        `${out.isTTY ? '\r\x1b[K' : ''}epoch ${m.epoch + 1}/${epochs}  loss ${m.trainLoss.toFixed(4)} ${pct(m.trainAccuracy)}${val}  ${m.seconds.toFixed(1)} s\n`,
      );
      started = performance.now();
    },
  };
}
