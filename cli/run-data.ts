import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import '../engine/zod-config';
import type { DataReading } from '../engine/data/dataset';
import { MAX_CLASSES } from '../engine/data/idx';
import { EngineError } from '../engine/errors';
import { decodeText } from '../engine/files/decode-text';
import { jsonTooLarge } from '../engine/files/json-limits';
import { MAX_TARGET_COLUMNS } from '../engine/graph/training-schema';
import { MAX_HEADER_VALUES } from '../engine/train/checkpoint';
import { readFileBounded } from '../node-io/read-file-bounded';
import { checksumHex } from './run-outputs';

/** Most bytes of a run's report read back (its history of epochs included). */
const MAX_REPORT_BYTES = 64 * 1024 ** 2;
const MAX_COLUMNS = 100_000;
const name = z.string().max(4096);

/** A report's `data`: checked as the untrusted file it is before anything of it is used. */
const readingSchema = z
  .object({
    scaling: z
      .object({
        columns: z.array(name).max(MAX_COLUMNS),
        offset: z.array(z.number()).max(MAX_COLUMNS),
        scale: z.array(z.number().refine((v) => v !== 0, 'a scale of 0')).max(MAX_COLUMNS),
      })
      .refine((s) => s.offset.length === s.columns.length && s.scale.length === s.columns.length, {
        message: 'a column, offset and scale each for every feature column',
      })
      .optional(),
    targetKind: z.enum(['class', 'tensor']).optional(),
    classNames: z.array(name).max(MAX_CLASSES).optional(),
    outputNames: z.array(name).max(MAX_TARGET_COLUMNS).optional(),
    // The dataset's settings at training: of them, the label columns (to score rows that hold them).
    settings: z
      .object({ labelColumn: z.union([name, z.array(name).max(MAX_TARGET_COLUMNS)]).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** How a run read its data, and the columns it took its labels from (a CSV dataset's). */
export type RunReading = DataReading & { labelColumns?: string[] };

/**
 * How the run that wrote a checkpoint read its training data, from the report written beside it
 * (<name>.report.json for <name>.ckpt), when that report describes this checkpoint (its checksum): the
 * data named on the command line at training (--data, --label, --normalise) may differ from the graph's.
 * Undefined without such a report (older runs, a checkpoint moved alone).
 */
export async function runDataReading(checkpointPath: string, checkpoint: Uint8Array): Promise<RunReading | undefined> {
  const report = join(dirname(checkpointPath), `${basename(checkpointPath).replace(/\.ckpt$/i, '')}.report.json`);
  if (!existsSync(report)) return undefined;
  let parsed: { checkpoint?: { checksum?: unknown }; data?: unknown };
  try {
    const text = decodeText(await readFileBounded(report, MAX_REPORT_BYTES, 'run report'), report);
    // A report's history is a checkpoint's: counted alike before it is parsed.
    const tooLarge = jsonTooLarge(text, { depth: 16, values: MAX_HEADER_VALUES });
    if (tooLarge) throw new Error(`it holds ${tooLarge}`);
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EngineError('INVALID_DATA', `${report}: not a run report (${(error as Error).message})`);
  }
  if (parsed?.checkpoint?.checksum !== checksumHex(checkpoint) || parsed.data === undefined) return undefined;
  const data = readingSchema.safeParse(parsed.data);
  if (!data.success) {
    const issue = data.error.issues[0];
    throw new EngineError('INVALID_DATA', `${report}: data.${issue.path.join('.')}: ${issue.message}`);
  }
  const { scaling, targetKind, classNames, outputNames, settings } = data.data;
  const label = settings?.labelColumn;
  return {
    ...(label !== undefined && { labelColumns: typeof label === 'string' ? [label] : label }),
    ...(scaling && { scaling }),
    ...(targetKind && { targetKind }),
    ...(classNames && { classNames }),
    ...(outputNames && { outputNames }),
  };
}
