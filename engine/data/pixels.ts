/** A decoded image: interleaved samples with `stride` per pixel, of which the first `colours` are gray or RGB. */
export interface Pixels {
  width: number;
  height: number;
  stride: number;
  /** 1 (gray) or 3 (RGB); any further samples of a pixel (alpha) are not read. */
  colours: 1 | 3;
  data: ArrayLike<number>;
  /** Multiplies a sample to the range 0..255 (1/257 for 16-bit samples). */
  scale: number;
}
