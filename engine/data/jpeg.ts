import { decode as decodeJpeg } from 'jpeg-js';
import type { Pixels } from './pixels';
import { ImageProblem } from './png';

export const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
}

/**
 * The frame header (SOF0 to SOF15, less the markers DHT, JPG and DAC that share the range): the declared
 * size, found by walking the segments before the image data, so it is checked before anything is decoded.
 */
export function jpegHeader(b: Uint8Array): JpegHeader {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new ImageProblem(`the JPEG's segments are broken at byte ${at}`);
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // Fill bytes before a marker.
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // End of image, or the data begins: no frame header.
    const length = (b[at + 2] << 8) | b[at + 3];
    if (length < 2) throw new ImageProblem(`the JPEG has a segment of length ${length} at byte ${at}`);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > b.length) break;
      const height = (b[at + 5] << 8) | b[at + 6];
      const width = (b[at + 7] << 8) | b[at + 8];
      const components = b[at + 9];
      if (width === 0 || height === 0)
        throw new ImageProblem(`the image is ${width} × ${height} pixels: it has no pixels`);
      if (components !== 1 && components !== 3 && components !== 4)
        throw new ImageProblem(`a JPEG of ${components} colour components is not read (1, 3 or 4)`);
      return { width, height, components };
    }
    at += 2 + length;
  }
  throw new ImageProblem('the JPEG has no frame header (it is cut short or not a JPEG)');
}

/** A JPEG decoded to gray or RGB, its decoder bounded to the memory left (it counts its own allocations). */
export function decodeJpegPixels(b: Uint8Array, h: JpegHeader, memoryBytes: number, pixelLimit: number): Pixels {
  const jpeg = decodeJpeg(b, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: pixelLimit / 1e6,
    maxMemoryUsageInMB: Math.max(1, Math.floor(memoryBytes / 1024 ** 2)),
  });
  // Gray JPEGs come out with the gray value in all three channels.
  return {
    width: jpeg.width,
    height: jpeg.height,
    stride: 3,
    colours: h.components === 1 ? 1 : 3,
    data: jpeg.data,
    scale: 1,
  };
}
