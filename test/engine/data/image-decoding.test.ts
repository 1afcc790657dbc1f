import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { imageFolderDataset } from '../../../engine/data/images';
import { DATA_LIMITS, MemoryBudget } from '../../../engine/data/limits';

/**
 * Fixtures from scripts/gen-image-fixtures.py: every PNG colour type and bit depth, interlaced PNG, and
 * gray and colour JPEG, with the values an independent decoder (Pillow) agrees on.
 */
const folder = join(import.meta.dirname, '../../fixtures/images');
const cases = readdirSync(folder).filter((f) => /\.(png|jpg)$/.test(f));

interface Expected {
  width: number;
  height: number;
  gray: string;
  rgb: string;
}

const floats = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

/** The largest and the mean difference, in grey levels (0..255). */
function difference(got: Float32Array, want: Float32Array): { largest: number; mean: number } {
  expect(got.length).toBe(want.length);
  let largest = 0;
  let sum = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i] * 255 - want[i]);
    largest = Math.max(largest, e);
    sum += e;
  }
  return { largest, mean: sum / got.length };
}

/**
 * PNG is lossless: one grey level (rounding) everywhere. JPEG decoders may differ within the standard's
 * IDCT accuracy: one level in Y, Cb or Cr, which the colour transform turns into up to two in blue
 * (1.772 Cb); gray JPEGs and the luma of colour ones stay within one. (libjpeg's own integer and float
 * IDCTs differ by two on jpeg-rgb-444 too.)
 */
const allowed = (file: string, plane: 'gray' | 'rgb') => (file.startsWith('jpeg-rgb') && plane === 'rgb' ? 2 : 1);

describe('image decoding against an independent decoder', () => {
  it('has a fixture for every PNG colour type and depth, and for JPEG', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of cases)
    it(`${file}: gray and RGB as the independent decoder reads them`, () => {
      const expected = JSON.parse(readFileSync(join(folder, file.replace(/\.\w+$/, '.json')), 'utf8')) as Expected;
      const bytes = new Uint8Array(readFileSync(join(folder, file)));
      const { width: w, height: h } = expected;
      const gray = imageFolderDataset([{ path: `c/${file}`, bytes }], 'fixtures', { shape: [1, h, w] });
      const rgb = imageFolderDataset([{ path: `c/${file}`, bytes }], 'fixtures', { shape: [3, h, w] });
      for (const [plane, got] of [
        ['gray', gray.x],
        ['rgb', rgb.x],
      ] as const) {
        const { largest, mean } = difference(got, floats(expected[plane]));
        expect(largest, `${plane}: largest difference`).toBeLessThanOrEqual(allowed(file, plane) + 0.001);
        expect(mean, `${plane}: mean difference`).toBeLessThan(0.75);
      }
      // Not flat: the fixtures hold varied values, so a decoder that gives zeros cannot pass.
      expect(new Set(rgb.x).size).toBeGreaterThan(1);
    });
});

/** A PNG built by hand: its header as given, then image data that may be anything. */
function png(width: number, height: number, depth: number, colourType: number, data: Uint8Array): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const v of b) c = crcTable[(c ^ v) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([depth, colourType, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', data),
    chunk('IEND', new Uint8Array()),
  ];
  return Buffer.concat(parts);
}

const load = (bytes: Uint8Array, budget?: MemoryBudget) => () =>
  imageFolderDataset([{ path: 'c/x.png', bytes }], 'f', { shape: [1, 4, 4], budget });

describe('images checked before they are decoded', () => {
  it('refuses a 0 × 0 image by name', () => {
    expect(load(png(0, 0, 8, 0, deflateSync(new Uint8Array())))).toThrow(/f\/c\/x\.png: the image is 0 × 0 pixels/);
  });

  it('refuses a small file that declares 100,000 × 100,000 pixels from its header alone', () => {
    const bytes = png(100_000, 100_000, 8, 0, deflateSync(new Uint8Array(64)));
    expect(bytes.length).toBeLessThan(200);
    expect(load(bytes)).toThrow(/f\/c\/x\.png: 100000 × 100000 pixels, over the limit of 40000000 pixels/);
  });

  it('refuses a 16-bit RGBA image whose decoding would pass the memory budget, before decoding it', () => {
    // 6,000 × 6,000 pixels (36 MP, under the pixel limit) of 8 bytes each: 288 MB of samples.
    const bytes = png(6000, 6000, 16, 6, deflateSync(new Uint8Array(16)));
    expect(load(bytes, new MemoryBudget(256 * 1024 ** 2))).toThrow(
      /f\/c\/x\.png: decoding its 6000 × 6000 pixels need/,
    );
  });

  it('stops image data that expands past what its header implies (a compression bomb)', () => {
    // 4 × 4 gray needs 4 × (1 + 4) = 20 bytes; this expands to 64 MiB.
    const bomb = deflateSync(new Uint8Array(64 * 1024 ** 2), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    expect(load(png(4, 4, 8, 0, bomb))).toThrow(/f\/c\/x\.png: the PNG's data expands past the 20 bytes/);
  });

  it('refuses an impossible colour type and bit depth by name', () => {
    expect(load(png(4, 4, 3, 0, deflateSync(new Uint8Array(20))))).toThrow(/PNG colour type 0 has no bit depth 3/);
    expect(load(png(4, 4, 8, 5, deflateSync(new Uint8Array(20))))).toThrow(/PNG colour type 5 does not exist/);
  });

  it('refuses a JPEG that declares more pixels than the limit, from its frame header', () => {
    // SOI, then a baseline frame header of 65,535 × 65,535 pixels and 3 components, then nothing.
    const sof = [0xff, 0xc0, 0, 17, 8, 0xff, 0xff, 0xff, 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
    const bytes = new Uint8Array([0xff, 0xd8, ...sof, 0xff, 0xd9]);
    expect(() => imageFolderDataset([{ path: 'c/big.jpg', bytes }], 'f', { shape: [3, 4, 4] })).toThrow(
      /f\/c\/big\.jpg: 65535 × 65535 pixels, over the limit/,
    );
  });

  it('takes a whole image folder from the budget before decoding the first image', () => {
    const one = readFileSync(join(folder, 'rgb-8.png'));
    const files = Array.from({ length: 10 }, (_, i) => ({ path: `c/${i}.png`, bytes: new Uint8Array(one) }));
    expect(() =>
      imageFolderDataset(files, 'f', {
        shape: [3, 512, 512],
        limits: { ...DATA_LIMITS, datasetBytes: 16 * 1024 ** 2 },
      }),
    ).toThrow(/f: 10 images of \[3, 512, 512\] need 30\.0 MiB, over the 16 MiB memory budget/);
  });
});
