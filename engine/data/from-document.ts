import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import type { Dataset } from './dataset';
import { barsData, majorityData, regressionData, spiralData, xorData } from './synthetic';

/** A dataset the engine can make by itself from the document's settings (the synthetic ones). */
export function generatedDataset(doc: GraphDocument): Dataset {
  const d = doc.training.dataset;
  if (d.source !== 'synthetic')
    throw new EngineError('INVALID_DATA', `the "${d.source}" dataset must be loaded from its files first`);
  const seed = doc.training.seed;
  switch (d.generator) {
    case 'xor':
      return xorData(Math.max(1, Math.round(d.samples / 4)));
    case 'spiral':
      return spiralData(d.samples, 3, d.noise, seed);
    case 'regression':
      return regressionData(d.samples, d.noise, seed);
    case 'sequence':
      return majorityData(d.samples, 9, seed);
    case 'bars':
      return barsData(d.samples, 8, d.noise, seed);
  }
}
