import type { Run } from '../graph/training-schema';
import { csvCell } from './predictions-csv';

const COLUMNS = [
  'run',
  'started',
  'status',
  'optimizer',
  'learning_rate',
  'batch_size',
  'epoch',
  'train_loss',
  'train_accuracy',
  'val_loss',
  'val_accuracy',
  'seconds',
];

/**
 * The runs of a document's history as one CSV table, a row per epoch each run keeps (long format, as
 * TensorBoard's scalars download and spreadsheets read it): the run's id, start, status and settings, then
 * the epoch (from 1, as the app counts them) and its figures; a figure the run did not have is empty. A run
 * of more than 500 epochs keeps 500 of them, evenly spaced, the last among them.
 */
export function runsCsv(runs: readonly Run[]): string {
  const figure = (v: number | undefined) => (v === undefined ? '' : String(v));
  const lines = [COLUMNS.join(',')];
  for (const run of runs) {
    const { optimizer, batchSize } = run.settings;
    const about = [run.id, run.startedAt, run.status, optimizer.kind, String(optimizer.lr), String(batchSize)];
    for (const e of run.epochs)
      lines.push(
        [
          ...about.map(csvCell),
          String(e.epoch + 1),
          figure(e.trainLoss),
          figure(e.trainAccuracy),
          figure(e.valLoss),
          figure(e.valAccuracy),
          figure(e.seconds),
        ].join(','),
      );
  }
  return `${lines.join('\n')}\n`;
}
