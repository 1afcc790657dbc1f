/**
 * Text from a file's bytes, read the same way on every platform (command line, desktop app, browser):
 * a UTF-8 byte-order mark is dropped, UTF-16 with its byte-order mark is decoded, and anything else must
 * be valid UTF-8 without NUL bytes. A refusal names the file and the byte offset, so a user can find it.
 */
export class TextRefused extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    why: string,
  ) {
    super(`${file}: ${why}`);
  }
}

export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), file, 3);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes, 'utf-16le', file);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes, 'utf-16be', file);
  return utf8(bytes, file, 0);
}

/** The start of a text file (to show its first line), by the same rules but lenient where it was cut. */
export function decodeTextHead(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

function utf8(bytes: Uint8Array, file: string, base: number): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new TextRefused(
      file,
      base + nul,
      `not text: a NUL byte at byte ${base + nul} (a binary file, or UTF-16 without its byte-order mark)`,
    );
  try {
    // ignoreBOM: a second mark after the first is content, not dropped silently.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = base + firstInvalidUtf8(bytes);
    throw new TextRefused(
      file,
      at,
      `not UTF-8 text: byte 0x${(bytes[at - base] ?? 0).toString(16).padStart(2, '0')} at byte ${at} is not valid UTF-8 (save the file as UTF-8)`,
    );
  }
}

function utf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be', file: string): string {
  if (bytes.length % 2 !== 0)
    throw new TextRefused(file, bytes.length - 1, `not ${encoding.toUpperCase()} text: an odd number of bytes`);
  try {
    // The decoder drops the byte-order mark itself.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new TextRefused(file, 0, `not ${encoding.toUpperCase()} text: it holds an unpaired surrogate`);
  }
}

/**
 * The offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF). Only run after the platform's decoder refused the bytes, to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // The sequence's length and the allowed range of its second byte.
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += n;
  }
  return bytes.length;
}
