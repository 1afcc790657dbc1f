import { EngineError } from '../errors';
import type { Dataset } from './dataset';
import { decodeJpegPixels, isJpeg, type JpegHeader, jpegHeader } from './jpeg';
import { DATA_LIMITS, type DataLimits, MemoryBudget } from './limits';
import type { Pixels } from './pixels';
import { decodePngPixels, ImageProblem, isPng, type PngHeader, pngDataBytes, pngHeader } from './png';

export interface ImageFile {
  /** Path inside the chosen folder: "<class>/<file>.png". */
  path: string;
  bytes: Uint8Array;
}

export interface ImageFolderOptions {
  /** The input shape the images are converted to: [1, H, W] (grayscale) or [3, H, W] (RGB). */
  shape: [number, number, number];
  /** Told after each decoded image: images done, images in all. */
  onProgress?: (done: number, total: number, what: string) => void;
  limits?: DataLimits;
  budget?: MemoryBudget;
  /** The training set's classes (a test set's subfolders are read as those names' indices). */
  classNames?: string[];
}

/**
 * Reads an image's declared size from its header, checks it against the limits and the memory left,
 * then decodes it. Every refusal names the file.
 */
function decode(file: ImageFile, limits: DataLimits, budget: MemoryBudget): Pixels {
  const b = file.bytes;
  const fail = (why: string) => new EngineError('INVALID_DATA', `${file.path}: ${why}`);
  try {
    const png = isPng(b);
    if (!png && !isJpeg(b)) throw fail('not a PNG or JPEG image');
    const header = png ? pngHeader(b) : jpegHeader(b);
    const pixels = header.width * header.height;
    if (pixels > limits.imagePixels)
      throw new EngineError(
        'TOO_LARGE',
        `${file.path}: ${header.width} × ${header.height} pixels, over the limit of ${limits.imagePixels} pixels for one image`,
      );
    // What decoding holds at once: the inflated data and samples, and our gray or RGB copy.
    const need = png
      ? pngDataBytes(header as PngHeader) * 2 + pixels * 3
      : pixels * ((header as JpegHeader).components + 3) + 64 * 1024;
    budget.check(need, file.path, `decoding its ${header.width} × ${header.height} pixels`);
    return png
      ? decodePngPixels(b, header as PngHeader)
      : decodeJpegPixels(b, header as JpegHeader, budget.left, limits.imagePixels);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    if (error instanceof ImageProblem) throw fail(error.message);
    throw fail(`the image cannot be read (${(error as Error).message})`);
  }
}

/** Bilinear resampling of one channel c (of `channels`) to width × height, scaled to 0..1. */
function resample(p: Pixels, c: number, width: number, height: number, out: Float32Array, at: number): void {
  const sx = p.width / width;
  const sy = p.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), p.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, p.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), p.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, p.width - 1);
      const wx = fx - x0;
      const v = (yy: number, xx: number) => p.data[(yy * p.width + xx) * p.stride + c];
      const top = v(y0, x0) * (1 - wx) + v(y0, x1) * wx;
      const bottom = v(y1, x0) * (1 - wx) + v(y1, x1) * wx;
      out[at + y * width + x] = ((top * (1 - wy) + bottom * wy) * p.scale) / 255;
    }
  }
}

/**
 * One image as the network's input sample at `out[at…]`: decoded (its size checked first), converted to
 * gray (the luma of the resized channels) or RGB as the shape's channels say, and resized bilinearly.
 */
function writeImageSample(
  file: ImageFile,
  [channels, height, width]: [number, number, number],
  limits: DataLimits,
  budget: MemoryBudget,
  out: Float32Array,
  at: number,
): void {
  const pixels = decode(file, limits, budget);
  if (channels === 3)
    for (let c = 0; c < 3; c++)
      resample(pixels, Math.min(c, pixels.colours - 1), width, height, out, at + c * height * width);
  else if (pixels.colours === 3) {
    // Luma (ITU-R BT.601) from the resized channels.
    const plane = new Float32Array(3 * height * width);
    for (let c = 0; c < 3; c++) resample(pixels, c, width, height, plane, c * height * width);
    for (let k = 0; k < height * width; k++)
      out[at + k] = 0.299 * plane[k] + 0.587 * plane[height * width + k] + 0.114 * plane[2 * height * width + k];
  } else resample(pixels, 0, width, height, out, at);
}

/**
 * Image files (PNG or JPEG) as input samples of the given shape, prepared as an image folder's are: for
 * predictions on pictures of the user's.
 */
export function imageInputs(
  files: ImageFile[],
  shape: [number, number, number],
  {
    limits = DATA_LIMITS,
    budget = new MemoryBudget(limits.datasetBytes),
  }: Pick<ImageFolderOptions, 'limits' | 'budget'> = {},
): Float32Array {
  const per = shape[0] * shape[1] * shape[2];
  budget.take(files.length * per * 4, 'the images', `${files.length} images of [${shape.join(', ')}]`);
  const x = new Float32Array(files.length * per);
  files.forEach((file, i) => {
    writeImageSample(file, shape, limits, budget, x, i * per);
  });
  return x;
}

/**
 * A folder of images with one subfolder per class, as a dataset of the given shape: each image is
 * decoded, converted to gray (luma) or RGB, and resized. Class names are the subfolder names, sorted; the
 * images come in the order of their paths.
 */
export function imageFolderDataset(
  files: ImageFile[],
  folder: string,
  {
    shape,
    onProgress,
    limits = DATA_LIMITS,
    budget = new MemoryBudget(limits.datasetBytes),
    ...like
  }: ImageFolderOptions,
): Dataset {
  const [channels, height, width] = shape;
  // In the order of their paths (UTF-16 code units), whoever listed the folder: the split depends on it.
  const images = files
    .filter((f) => /\.(png|jpe?g)$/i.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (images.length === 0)
    throw new EngineError('INVALID_DATA', `${folder}: no PNG or JPEG images in its class subfolders`);
  const classOf = (path: string) => {
    const parts = path.split('/').filter(Boolean);
    if (parts.length < 2)
      throw new EngineError(
        'INVALID_DATA',
        `${folder}/${path}: images must sit in a subfolder named after their class`,
      );
    // The top subfolder names the class, whatever folders lie below it (as torchvision's ImageFolder reads).
    return parts[0];
  };
  const classNames = like.classNames ?? [...new Set(images.map((f) => classOf(f.path)))].sort();
  const id = new Map(classNames.map((n, i) => [n, i]));
  const stranger = images.find((f) => !id.has(classOf(f.path)));
  if (stranger)
    throw new EngineError(
      'INVALID_DATA',
      `${folder}/${stranger.path}: its subfolder "${classOf(stranger.path)}" is not one of the training set's ${classNames.length} classes`,
    );
  const per = channels * height * width;
  budget.take(images.length * (per + 1) * 4, folder, `${images.length} images of [${shape.join(', ')}]`);
  const x = new Float32Array(images.length * per);
  const targets = new Float32Array(images.length);
  images.forEach((file, i) => {
    writeImageSample({ ...file, path: `${folder}/${file.path}` }, shape, limits, budget, x, i * per);
    targets[i] = id.get(classOf(file.path))!;
    onProgress?.(i + 1, images.length, `decoded ${file.path}`);
  });
  return {
    name: folder,
    inputShape: shape,
    count: images.length,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets,
    classes: classNames.length,
    classNames,
    source: { file: folder, unit: 'file', files: images.map((f) => `${folder}/${f.path}`) },
  };
}
