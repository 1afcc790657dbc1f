import { EngineError } from '../errors';
import { formatSize } from './limits';

/** gzip's magic number: 1f 8b. */
export const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

export interface GunzipOptions {
  /** Most bytes the data may expand to; decompression stops there. */
  limit: number;
  /**
   * Told the first bytes out (at least 64, or all if fewer), it gives the whole size the content declares
   * (an IDX header does), or throws: past that size decompression stops too, and a declared size over the
   * limit is refused before the rest is decompressed.
   */
  declaredSize?: (head: Uint8Array) => number | undefined;
  /** Past the limit, give the first `limit` bytes instead of refusing (to show a file's first line). */
  truncate?: boolean;
}

const HEAD_BYTES = 64;

/**
 * Decompresses gzip as a stream with the platform's DecompressionStream (browsers, workers and Node alike),
 * holding no more than the limit: a few megabytes that expand to gigabytes are refused when they pass it.
 */
export async function gunzipBounded(bytes: Uint8Array, file: string, options: GunzipOptions): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit = options.limit;
  let declared: number | undefined;
  let asked = options.declaredSize === undefined;
  const ask = () => {
    asked = true;
    declared = options.declaredSize?.(concat(chunks, total));
    if (declared !== undefined && declared > options.limit)
      throw new EngineError(
        'TOO_LARGE',
        `${file}: its header declares ${formatSize(declared)} of content, over the ${formatSize(options.limit)} limit for unpacked data`,
      );
    if (declared !== undefined) limit = declared;
  };
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new EngineError('INVALID_DATA', `${file}: the gzip data is damaged (${(error as Error).message})`);
      }
      if (next.done) break;
      total += next.value.length;
      if (total > limit && options.truncate) {
        chunks.push(next.value.subarray(0, next.value.length - (total - limit)));
        total = limit;
        break;
      }
      if (total > limit)
        throw new EngineError(
          'TOO_LARGE',
          declared === undefined
            ? `${file}: unpacks to more than the ${formatSize(limit)} limit for unpacked data`
            : `${file}: unpacks to more than the ${formatSize(declared)} its header declares`,
        );
      chunks.push(next.value);
      if (!asked && total >= HEAD_BYTES) ask();
    }
    if (!asked) ask();
  } finally {
    await reader.cancel().catch(() => {});
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  chunks.length = 0;
  if (total > 0) chunks.push(out);
  return out;
}
