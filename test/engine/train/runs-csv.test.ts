import { describe, expect, it } from 'vitest';
import type { Run } from '../../../engine/graph/training-schema';
import { runsCsv } from '../../../engine/train/runs-csv';

const run = (id: string, epochs: Run['epochs'], status: Run['status'] = 'completed'): Run => ({
  id,
  startedAt: '2026-12-02T10:00:00.000Z',
  backend: 'cpu',
  status,
  settings: { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 16, epochs: 3, seed: 1 },
  epochs,
});

describe("a document's runs as CSV", () => {
  it('writes a row per kept epoch of each run, numbered from 1, its missing figures empty', () => {
    const text = runsCsv([
      run('run-1', [
        { epoch: 0, trainLoss: 0.5, trainAccuracy: 0.75, valLoss: 0.625, valAccuracy: 0.5, seconds: 1.25 },
        { epoch: 1, trainLoss: 0.25, trainAccuracy: 0.875, valLoss: 0.5, valAccuracy: 0.75, seconds: 2.5 },
      ]),
      // A regression stopped early, without validation: no accuracy, no validation figures.
      run('run-2', [{ epoch: 0, trainLoss: 1.0000001, seconds: 0.5 }], 'stopped'),
    ]);
    expect(text.split('\n')).toEqual([
      'run,started,status,optimizer,learning_rate,batch_size,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds',
      'run-1,2026-12-02T10:00:00.000Z,completed,sgd,0.1,16,1,0.5,0.75,0.625,0.5,1.25',
      'run-1,2026-12-02T10:00:00.000Z,completed,sgd,0.1,16,2,0.25,0.875,0.5,0.75,2.5',
      'run-2,2026-12-02T10:00:00.000Z,stopped,sgd,0.1,16,1,1.0000001,,,,0.5',
      '',
    ]);
    // A run without epochs (stopped inside its first) has no rows; no runs, the header alone.
    expect(runsCsv([run('run-3', [], 'stopped')])).toBe(`${text.split('\n')[0]}\n`);
  });
});
