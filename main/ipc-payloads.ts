import { z } from 'zod';
import { LIMITS } from '../engine/graph';
import { DATASET_CHUNK_BYTES, EXPORT_LIMITS } from './ipc-contract';

/** One name of a path: not empty, not "." or "..", no separators, NUL or drive colons. */
const pathPart = /^(?!\.{1,2}$)[^/\\\0:]{1,255}$/;

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
  exportFolder: z.strictObject({
    name: z.string().regex(pathPart, 'a folder name, not a path'),
    files: z
      .array(
        z.strictObject({
          path: z
            .string()
            .max(4096)
            .refine((path) => path.split('/').every((part) => pathPart.test(part)), 'a path inside the folder'),
          bytes: z.instanceof(Uint8Array),
        }),
      )
      .min(1)
      .max(EXPORT_LIMITS.files)
      .refine(
        (files) => files.reduce((sum, f) => sum + f.bytes.length, 0) <= EXPORT_LIMITS.bytes,
        `more than ${EXPORT_LIMITS.bytes / 1024 ** 3} GiB in all`,
      ),
  }),
  none: z.undefined(),
};
