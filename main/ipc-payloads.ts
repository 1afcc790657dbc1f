import { z } from 'zod';
import { LIMITS } from '../engine/graph';

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
  none: z.undefined(),
};
