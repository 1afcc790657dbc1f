import { augments, movesPixels } from '../data/augment';
import { EngineError } from '../errors';
import type { Training } from '../graph/training-schema';

const num = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

/**
 * The document's augmentation in the exported script, drawn exactly as the engine draws it
 * (engine/data/augment.ts): each sample of each step from Netloom's generator seeded by the run's seed,
 * the step and the sample's place in the global batch, so that the script trains on the batches Netloom
 * trains on.
 */
export function augmentSource(t: Training, inputShape: readonly number[]): string[] {
  const a = t.augmentation;
  if (!augments(a)) return [];
  if (movesPixels(a) && inputShape.length !== 3)
    throw new EngineError(
      'INVALID_GRAPH',
      `crop, flip, rotation and shift augment images; the Input takes [${inputShape.join(', ')}]`,
    );
  return [
    '# Augmentation of training batches (never in evaluation), as Netloom draws and applies it.',
    `AUGMENTATION = {'crop': ${a.crop}, 'flip': ${a.flip ? 'True' : 'False'}, 'rotate': ${num(a.rotate)}, 'shift': ${num(a.shift)},`,
    `                'brightness': ${num(a.brightness)}, 'contrast': ${num(a.contrast)}, 'noise': ${num(a.noise)}}`,
    '',
    '',
    AUGMENT_SOURCE,
  ];
}

const AUGMENT_SOURCE = `def hash32(value):
    """Netloom's integer hash (lowbias32)."""
    x = value & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def uniform(random, low, high):
    return low + (high - low) * (random.next_uint32() / 4294967296)


def normal(random):
    """Box-Muller, one value per call, as Netloom draws it."""
    u1 = 1 - random.next_uint32() / 4294967296
    u2 = random.next_uint32() / 4294967296
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def augment_sample(x, random):
    """One sample (float32, [C, H, W] or flat) transformed with its own draws, in Netloom's order."""
    a = AUGMENTATION
    image = x.ndim == 3
    channels, height, width = x.shape if image else (1, 1, x.size)
    pad = a['crop']
    crop_y = math.floor(uniform(random, 0, 1) * (2 * pad + 1))
    crop_x = math.floor(uniform(random, 0, 1) * (2 * pad + 1))
    flip = uniform(random, 0, 1) < 0.5 and a['flip']
    angle = uniform(random, -a['rotate'], a['rotate'])
    shift_y = uniform(random, -a['shift'], a['shift']) * height
    shift_x = uniform(random, -a['shift'], a['shift']) * width
    brightness = uniform(random, 1 - a['brightness'], 1 + a['brightness'])
    contrast = uniform(random, 1 - a['contrast'], 1 + a['contrast'])
    if image and (pad > 0 or flip):
        # A crop of the zero-padded image at (crop_y, crop_x), mirrored left and right when flipping.
        rows = np.arange(height) + crop_y - pad
        cols = (width - 1 - np.arange(width) if flip else np.arange(width)) + crop_x - pad
        inside = ((rows >= 0) & (rows < height))[:, None] & ((cols >= 0) & (cols < width))[None, :]
        x = np.where(inside, x[:, rows.clip(0, height - 1)][:, :, cols.clip(0, width - 1)], 0).astype(np.float32)
    if image and (angle != 0 or shift_y != 0 or shift_x != 0):
        # Each output pixel reads the input at the inverse rotation and shift, bilinearly, zero outside.
        theta = angle * math.pi / 180
        cos, sin = math.cos(theta), math.sin(theta)
        cy, cx = (height - 1) / 2, (width - 1) / 2
        dy = np.arange(height, dtype=np.float64)[:, None] - cy - shift_y
        dx = np.arange(width, dtype=np.float64)[None, :] - cx - shift_x
        sy = cy + cos * dy + sin * dx
        sx = cx - sin * dy + cos * dx
        y0, x0 = np.floor(sy).astype(np.int64), np.floor(sx).astype(np.int64)
        fy, fx = sy - y0, sx - x0
        padded = np.zeros((channels, height + 2, width + 2), dtype=np.float64)
        padded[:, 1:-1, 1:-1] = x

        def at(yy, xx):
            ok = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
            return np.where(ok, padded[:, (yy + 1).clip(0, height + 1), (xx + 1).clip(0, width + 1)], 0)

        x = ((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
             + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1))).astype(np.float32)
    if a['brightness'] > 0:
        x = (x.astype(np.float64) * brightness).astype(np.float32)
    if a['contrast'] > 0:
        mean = x.astype(np.float64).sum() / x.size
        x = ((x.astype(np.float64) - mean) * contrast + mean).astype(np.float32)
    if a['noise'] > 0:
        flat = x.reshape(-1).astype(np.float64)
        for i in range(flat.size):
            flat[i] = np.float32(flat[i] + a['noise'] * normal(random))
        x = flat.astype(np.float32).reshape(x.shape)
    return x


def augment(x, step, first_slot=0):
    """A batch augmented for optimizer step \`step\` (from 1); sample k is slot first_slot + k of the global batch."""
    out = x.detach().cpu().numpy().astype(np.float32).copy()
    for k in range(len(out)):
        slot = first_slot + k
        word = hash32(SEED ^ hash32(((step * 0x9E3779B9) & 0xFFFFFFFF) ^ hash32(slot + 0x632BE5AB)))
        out[k] = augment_sample(out[k], NetloomRandom(word))
    return torch.from_numpy(out).to(x.device)`;
