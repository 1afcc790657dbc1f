import { EngineError } from '../errors';

/**
 * What a dataset may cost, checked from declared sizes (file headers, row counts) before anything is
 * allocated or decoded, so that no file, however crafted, can take the process's memory.
 */
export interface DataLimits {
  /** Bytes one picked file may hold on disk, gzipped or not. */
  fileBytes: number;
  /** Bytes a gzipped file may expand to (it is decompressed as a stream and stopped there). */
  unpackedBytes: number;
  /** Bytes of memory a whole dataset may use: its samples (4 bytes a value) and any image being decoded. */
  datasetBytes: number;
  /** Pixels of one image, from its header, before it is decoded. */
  imagePixels: number;
  /** Bytes of one text (CSV) file once unpacked: JavaScript strings hold at most 2^29 - 24 characters. */
  textBytes: number;
}

const GiB = 1024 ** 3;

export const DATA_LIMITS: DataLimits = {
  fileBytes: GiB,
  unpackedBytes: 2 * GiB,
  datasetBytes: 2 * GiB,
  imagePixels: 40_000_000,
  textBytes: 500 * 1024 ** 2,
};

export function formatSize(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(bytes % GiB === 0 ? 0 : 1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(bytes % 1024 ** 2 === 0 ? 0 : 1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * The dataset's memory, spent as its parts are planned. `take` refuses, naming the file and the figures,
 * before an allocation would pass the budget; `lend` checks a transient need (an image being decoded).
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get left(): number {
    return this.limit - this.used;
  }

  take(bytes: number, file: string, what: string): void {
    this.check(bytes, file, what);
    this.used += bytes;
  }

  /** A need that is given back at once (a decoded image before it is resized into the dataset). */
  check(bytes: number, file: string, what: string): void {
    if (!(bytes >= 0) || this.used + bytes > this.limit)
      throw new EngineError(
        'TOO_LARGE',
        `${file}: ${what} need ${formatSize(bytes)}, over the ${formatSize(this.limit)} memory budget for a dataset${this.used > 0 ? ` (${formatSize(this.used)} already taken)` : ''}`,
      );
  }
}
