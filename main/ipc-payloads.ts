import { z } from 'zod';
import { LIMITS } from '../engine/graph';
import { DATASET_CHUNK_BYTES } from './ipc-contract';

/** Schemas of what the page may send; everything from the page is checked against these in main. */
export const payloads = {
  openRecent: z.strictObject({ path: z.string().min(1).max(4096) }),
  saveGraph: z.strictObject({ path: z.string().min(1).max(4096), text: z.string().max(LIMITS.fileBytes) }),
  saveGraphAs: z.strictObject({
    text: z.string().max(LIMITS.fileBytes),
    suggestedName: z
      .string()
      .max(255)
      .regex(/^[^/\\\0]*$/, 'a file name, not a path'),
  }),
  openDatasetFiles: z.strictObject({ kind: z.enum(['idx', 'csv', 'images']) }),
  readDatasetChunk: z.strictObject({
    token: z.string().regex(/^[0-9a-f]{32}$/),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    length: z.number().int().min(1).max(DATASET_CHUNK_BYTES),
  }),
  none: z.undefined(),
};
