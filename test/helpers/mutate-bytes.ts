import { pick } from './random';

/** One mutation of a file's bytes: bit flips, byte runs, cuts, insertions, or a big number in a header. */
export function mutate(rand: () => number, bytes: Uint8Array): Uint8Array {
  let b: Uint8Array = bytes.slice();
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    // Headers are where sizes live: aim half of the edits at the first 64 bytes.
    const at = Math.floor(rand() * (rand() < 0.5 ? Math.min(64, b.length) : b.length));
    switch (pick(rand, ['flip', 'byte', 'run', 'cut', 'insert', 'big'] as const)) {
      case 'flip':
        b[at] ^= 1 << Math.floor(rand() * 8);
        break;
      case 'byte':
        b[at] = pick(rand, [0, 0xff, 0x7f, 0x80, 0x2c, 0x0a, 0x22, Math.floor(rand() * 256)]);
        break;
      case 'run':
        b.fill(pick(rand, [0, 0xff, 0x41]), at, at + 1 + Math.floor(rand() * 16));
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'insert': {
        const extra = Uint8Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256));
        b = new Uint8Array([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
        break;
      }
      case 'big':
        if (at + 4 <= b.length)
          new DataView(b.buffer, b.byteOffset).setUint32(at, pick(rand, [0xffffffff, 0x7fffffff, 1e6, 65536]));
        break;
    }
  }
  return b;
}
