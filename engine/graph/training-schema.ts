import '../zod-config';
import { z } from 'zod';

/**
 * The bundled datasets a document may name. The format owns this list; engine/data/bundled.ts holds one
 * entry for each name (the compiler checks it), so the format imports nothing of the data loaders.
 */
export const bundledNames = ['fashion-mnist-small'] as const;
export type BundledName = (typeof bundledNames)[number];

/** A path or file name, never interpreted as anything but a name to show or a file the user picks again. */
const pathText = z.string().min(1).max(4096);
const rate = z.number().gt(0).max(10);
const unitInterval = z.number().min(0).lt(1);
const eps = z.number().gt(0).max(1);
const columnName = z.string().min(1).max(256);
/** Most target columns a CSV dataset may name (each is one output of the network). */
export const MAX_TARGET_COLUMNS = 1000;

export const datasetSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('sample'), name: z.enum(bundledNames) }),
  z.strictObject({
    source: z.literal('idx'),
    images: pathText,
    labels: pathText,
    testImages: pathText.optional(),
    testLabels: pathText.optional(),
  }),
  z.strictObject({
    source: z.literal('csv'),
    path: pathText,
    /** The column to predict, or several target columns: values to fit, or yes/no labels (0 or 1) for each row. */
    labelColumn: z.union([
      columnName,
      // The count as a refinement: a union reports a plain "Invalid input" for a list over `max`.
      z
        .array(columnName)
        .min(1)
        .refine((names) => names.length <= MAX_TARGET_COLUMNS, `at most ${MAX_TARGET_COLUMNS} target columns`)
        .refine((names) => new Set(names).size === names.length, 'each target column once'),
    ]),
    featureColumns: z.array(columnName).max(10_000).optional(),
    normalise: z.enum(['none', 'min-max', 'z-score']).default('z-score'),
  }),
  z.strictObject({ source: z.literal('image-folder'), path: pathText, grayscale: z.boolean().default(false) }),
  z.strictObject({
    source: z.literal('synthetic'),
    generator: z.enum(['spiral', 'xor', 'regression', 'sequence', 'bars']),
    samples: z.number().int().min(1).max(1_000_000).default(1000),
    noise: z.number().min(0).max(10).default(0.1),
  }),
]);

/** The paper's chapter 4 optimizers; each carries exactly its own hyper-parameters. */
export const optimizerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sgd'), lr: rate }),
  z.strictObject({ kind: z.literal('momentum'), lr: rate, momentum: unitInterval.default(0.9) }),
  z.strictObject({ kind: z.literal('nesterov'), lr: rate, momentum: unitInterval.default(0.9) }),
  z.strictObject({ kind: z.literal('adagrad'), lr: rate, eps: eps.default(1e-10) }),
  z.strictObject({ kind: z.literal('rmsprop'), lr: rate, rho: unitInterval.default(0.99), eps: eps.default(1e-8) }),
  z.strictObject({
    kind: z.literal('adadelta'),
    lr: rate.default(1),
    rho: unitInterval.default(0.9),
    eps: eps.default(1e-6),
  }),
  z.strictObject({
    kind: z.literal('adam'),
    lr: rate,
    beta1: unitInterval.default(0.9),
    beta2: unitInterval.default(0.999),
    eps: eps.default(1e-8),
  }),
]);

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  /** The paper's decay: lr_t = lr_0 * exp(-decay * epoch). */
  z.strictObject({ kind: z.literal('exponential'), decay: z.number().min(0).max(100) }),
  z.strictObject({
    kind: z.literal('step'),
    everyEpochs: z.number().int().min(1).max(100_000),
    gamma: z.number().gt(0).max(1),
  }),
  z.strictObject({ kind: z.literal('cosine'), minLr: z.number().min(0).max(10).default(0) }),
]);

export const lossSchema = z.strictObject({
  kind: z.enum(['mse', 'softmax-cross-entropy', 'sigmoid-binary-cross-entropy']),
  /** The node whose output the loss reads; by default the graph's only sink. */
  output: z.string().max(64).optional(),
});

/**
 * Augmentation of image batches in training (never in evaluation), as torchvision's transforms do it:
 * a random crop of the image padded with zeros, a horizontal flip, a rotation and shift (bilinear, zeros
 * outside), brightness and contrast jitter, Gaussian noise. Zero (or false) turns a transform off.
 */
export const augmentationSchema = z.strictObject({
  /** Zero padding on every side, then a crop back to the image's size at a random offset (RandomCrop). */
  crop: z.number().int().min(0).max(64).default(0),
  /** Mirror left and right with probability one half. */
  flip: z.boolean().default(false),
  /** A rotation about the centre by up to ± this many degrees. */
  rotate: z.number().min(0).max(180).default(0),
  /** A shift by up to ± this share of the width and of the height. */
  shift: z.number().min(0).max(0.5).default(0),
  /** Values multiplied by a factor in [1 − b, 1 + b]. */
  brightness: z.number().min(0).max(1).default(0),
  /** Values moved away from (or towards) the image's mean by a factor in [1 − c, 1 + c]. */
  contrast: z.number().min(0).max(1).default(0),
  /** Gaussian noise of this standard deviation added to every value. */
  noise: z.number().min(0).max(10).default(0),
});
export type Augmentation = z.infer<typeof augmentationSchema>;

export const trainingSchema = z.strictObject({
  dataset: datasetSchema,
  validation: z.strictObject({ split: z.number().min(0).max(0.9) }).default({ split: 0.1 }),
  loss: lossSchema,
  optimizer: optimizerSchema,
  schedule: scheduleSchema.default({ kind: 'constant' }),
  regularization: z
    .strictObject({ l1: z.number().min(0).max(1e3), l2: z.number().min(0).max(1e3) })
    .default({ l1: 0, l2: 0 }),
  /** Clip gradients by global norm when set. */
  clipNorm: z.number().gt(0).max(1e6).optional(),
  sampling: z.enum(['mini-batch', 'full-batch', 'stochastic']).default('mini-batch'),
  batchSize: z.number().int().min(1).max(65_536),
  epochs: z.number().int().min(1).max(100_000),
  seed: z.number().int().min(0).max(0xffff_ffff),
  backend: z.enum(['auto', 'cpu', 'webgpu']).default('auto'),
  earlyStopping: z.strictObject({ patience: z.number().int().min(1).max(10_000) }).optional(),
  /** Image augmentation in training (see engine/data/augment.ts); absent or all off: none. */
  augmentation: augmentationSchema.optional(),
});

const finite = z.number();

export const runSchema = z.strictObject({
  id: z.string().min(1).max(64),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  backend: z.enum(['cpu', 'webgpu']),
  status: z.enum(['completed', 'stopped', 'failed']),
  /** Settings the run used, so runs stay comparable after the document changes. */
  settings: z.strictObject({
    optimizer: optimizerSchema,
    batchSize: z.number().int().min(1),
    epochs: z.number().int().min(1),
    seed: z.number().int().min(0),
  }),
  epochs: z
    .array(
      z.strictObject({
        epoch: z.number().int().min(0),
        trainLoss: finite,
        trainAccuracy: finite.optional(),
        valLoss: finite.optional(),
        valAccuracy: finite.optional(),
        seconds: z.number().min(0),
      }),
    )
    .max(100_000),
  /** The network it trained (engine/train/fingerprint.ts), to tell runs of another network apart. */
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  /** Optimizer steps done, and the figures where it ended (for a run stopped inside its first epoch too). */
  steps: z.number().int().min(0).optional(),
  result: z.strictObject({ loss: finite, accuracy: finite.optional() }).optional(),
  /** Settings changed while it was paused, with the step from which they applied. */
  changes: z
    .array(
      z.strictObject({
        step: z.number().int().min(0),
        // The fields a paused run may change, each checked as in the document (no free-form keys).
        settings: trainingSchema
          .pick({
            optimizer: true,
            batchSize: true,
            regularization: true,
            clipNorm: true,
            epochs: true,
            schedule: true,
            augmentation: true,
          })
          .partial(),
      }),
    )
    .max(1000)
    .optional(),
  /** Its per-step training loss, downsampled (to at most 500 points), to draw it again after reopening. */
  curve: z.strictObject({ step: z.array(z.number().int().min(0)).max(500), loss: z.array(finite).max(500) }).optional(),
  /** The values a sweep's run tried (its setting names: "lr", "<layer id>.<param>"). */
  sweep: z
    .record(z.string().min(1).max(200), z.union([finite, z.string().max(200), z.boolean()]))
    .refine((values) => Object.keys(values).length <= 64, 'at most 64 swept settings')
    .optional(),
});

export type Training = z.infer<typeof trainingSchema>;
export type Dataset = z.infer<typeof datasetSchema>;

/** A CSV dataset's target columns: the label column alone, or the several the settings name. */
export const labelColumns = (d: { labelColumn: string | string[] }): string[] =>
  typeof d.labelColumn === 'string' ? [d.labelColumn] : d.labelColumn;
export type Optimizer = z.infer<typeof optimizerSchema>;
export type Run = z.infer<typeof runSchema>;
