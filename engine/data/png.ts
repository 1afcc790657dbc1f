import { decode as decodePng } from 'fast-png';
import { Unzlib } from 'fflate';
import type { Pixels } from './pixels';

/** Why a PNG was refused, in words (the caller adds the file's name). */
export class ImageProblem extends Error {}

export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
  /** Samples per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA; palette images have 1 (an index). */
  samples: number;
}

/** The colour types of PNG and the bit depths each allows (PNG specification, table 11.1). */
const colourTypes: Record<number, { samples: number; depths: number[] } | undefined> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const isPng = (b: Uint8Array) => SIGNATURE.every((v, i) => b[i] === v);

/** The IHDR chunk, which the specification puts first: the declared size, read before anything is decoded. */
export function pngHeader(b: Uint8Array): PngHeader {
  if (b.length < 33) throw new ImageProblem('the PNG is cut short before its header ends');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const type = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (view.getUint32(8) !== 13 || type !== 'IHDR') throw new ImageProblem('the PNG does not begin with its header');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = b[24];
  const colourType = b[25];
  const kind = colourTypes[colourType];
  if (!kind) throw new ImageProblem(`PNG colour type ${colourType} does not exist`);
  if (!kind.depths.includes(depth)) throw new ImageProblem(`PNG colour type ${colourType} has no bit depth ${depth}`);
  if (width === 0 || height === 0) throw new ImageProblem(`the image is ${width} × ${height} pixels: it has no pixels`);
  if (b[28] > 1) throw new ImageProblem(`PNG interlace method ${b[28]} does not exist`);
  return { width, height, depth, colourType, interlaced: b[28] === 1, samples: kind.samples };
}

/** Bytes of the decompressed image data the header implies: each row of each pass, with its filter byte. */
export function pngDataBytes(h: PngHeader): number {
  const row = (w: number) => 1 + Math.ceil((w * h.samples * h.depth) / 8);
  if (!h.interlaced) return h.height * row(h.width);
  // Adam7: the seven passes' starts and steps (x0, y0, dx, dy).
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((h.width - x0) / dx);
    const rows = Math.ceil((h.height - y0) / dy);
    if (w > 0 && rows > 0) total += rows * row(w);
  }
  return total;
}

/**
 * Inflates the image data as a stream, counting and discarding, and refuses it as soon as it passes what
 * the header implies: a small file whose compressed data would expand without end never reaches the
 * decoder (which would hold all of it).
 */
function checkDataSize(b: Uint8Array, expected: number): void {
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > expected)
      throw new ImageProblem(`the PNG's data expands past the ${expected} bytes its header implies`);
  });
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const PIECE = 16 * 1024;
  for (let at = 8; at + 8 <= b.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    const start = at + 8;
    const end = Math.min(start + length, b.length);
    if (type === 'IDAT')
      for (let p = start; p < end; p += PIECE) inflater.push(b.subarray(p, Math.min(p + PIECE, end)), false);
    if (type === 'IEND') break;
    at = end + 4;
  }
}

/**
 * Decodes any PNG (every colour type and bit depth) to gray or RGB samples from 0 to 255: bits below 8 are
 * unpacked and scaled to the full range, palettes are looked up, 16-bit samples scaled by 1/257, and alpha
 * is dropped (as image libraries do when converting to gray or RGB).
 */
export function decodePngPixels(b: Uint8Array, h: PngHeader): Pixels {
  try {
    checkDataSize(b, pngDataBytes(h));
  } catch (error) {
    if (error instanceof ImageProblem) throw error;
    throw new ImageProblem(`the PNG's compressed data is damaged (${(error as Error).message})`);
  }
  const png = decodePng(b);
  if (png.width !== h.width || png.height !== h.height) throw new ImageProblem('the PNG has more than one header');
  const { width, height } = h;
  const n = width * height;
  if (h.colourType === 3) {
    const palette = png.palette;
    if (!palette || palette.length === 0) throw new ImageProblem('the palette image has no palette');
    const indices = unpack(png.data as Uint8Array, width, height, h.depth, false);
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const entry = palette[indices[i]];
      if (!entry)
        throw new ImageProblem(
          `pixel ${i % width}, ${Math.floor(i / width)} uses palette entry ${indices[i]}, past its ${palette.length} colours`,
        );
      rgb[3 * i] = entry[0];
      rgb[3 * i + 1] = entry[1];
      rgb[3 * i + 2] = entry[2];
    }
    return { width, height, stride: 3, colours: 3, data: rgb, scale: 1 };
  }
  const colours = h.samples >= 3 ? 3 : 1;
  if (h.depth < 8)
    return {
      width,
      height,
      stride: 1,
      colours: 1,
      data: unpack(png.data as Uint8Array, width, height, h.depth, true),
      scale: 1,
    };
  return { width, height, stride: h.samples, colours, data: png.data, scale: h.depth === 16 ? 1 / 257 : 1 };
}

/** Samples of 1, 2 or 4 bits (rows start on a byte) as one byte each; gray ones scaled to 0..255. */
function unpack(packed: Uint8Array, width: number, height: number, depth: number, scaleToByte: boolean): Uint8Array {
  if (depth === 8) return packed;
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const factor = scaleToByte ? 255 / mask : 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * width + x] = ((byte >> (8 - depth - (bit & 7))) & mask) * factor;
    }
  return out;
}
