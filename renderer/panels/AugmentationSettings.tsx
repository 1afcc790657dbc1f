import { useState } from 'react';
import { augmentSample, augments, sampleRandom } from '../../engine/data/augment';
import { type Augmentation, augmentationSchema } from '../../engine/graph/training-schema';
import { useDocumentStore } from '../store/document-store';
import { useTrainingStore } from '../store/training-store';
import { drawable, Thumbnail } from './Thumbnail';

/** Augmented versions the preview shows of one training sample. */
const PREVIEWS = 8;

const numbers: {
  key: Exclude<keyof Augmentation, 'flip'>;
  label: string;
  max: number;
  whole?: boolean;
  hint: string;
}[] = [
  {
    key: 'crop',
    label: 'crop padding',
    max: 64,
    whole: true,
    hint: 'pixels of zeros around the image, then a crop back at a random offset',
  },
  { key: 'rotate', label: 'rotate ±°', max: 180, hint: 'a rotation about the centre by up to this many degrees' },
  { key: 'shift', label: 'shift ±', max: 0.5, hint: 'a shift by up to this share of the width and height' },
  { key: 'brightness', label: 'brightness ±', max: 1, hint: 'values multiplied by a factor within 1 ± this' },
  { key: 'contrast', label: 'contrast ±', max: 1, hint: 'values moved from their mean by a factor within 1 ± this' },
  { key: 'noise', label: 'noise σ', max: 10, hint: 'Gaussian noise of this standard deviation' },
];

/**
 * Augmentation of image data, in the training settings and saved with the document (a paused run takes a
 * change from its next step): applied to each training batch in the engine (a seed gives the same batches,
 * a resumed run too), never in evaluation.
 * The preview shows what the engine's transforms make of the first training sample.
 */
export function AugmentationSettings() {
  const stored = useDocumentStore((s) => s.document.training.augmentation);
  const seed = useDocumentStore((s) => s.document.training.seed);
  const images = useDocumentStore((s) => {
    const input = s.document.nodes.find((n) => n.kind === 'input');
    return input !== undefined && (input.params.shape as number[]).length === 3;
  });
  const apply = useTrainingStore((s) => s.applySettings);
  const firstSample = useTrainingStore((s) => s.firstTrainingSample);
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<{
    shape: number[];
    pictures: Float32Array[];
    range: [number, number];
  } | null>(null);
  if (!images) return null;
  const a = stored ?? augmentationSchema.parse({});
  const change = (patch: Partial<Augmentation>) => {
    const next = { ...a, ...patch };
    setPreview(null);
    // The document's setting, and a paused run's from its next step.
    apply({ augmentation: next }).catch((e: Error) => setProblem(e.message));
  };
  const showPreview = async () => {
    const sample = await firstSample();
    if (typeof sample === 'string') return setProblem(sample);
    setProblem(null);
    const per = sample.x.length;
    const scratch = new Float32Array(per);
    // As the engine draws them: sample 0 of steps 1 … 8.
    const pictures = Array.from({ length: PREVIEWS }, (_, i) => {
      const x = sample.x.slice();
      augmentSample(a, x, sample.shape, sampleRandom(seed, i + 1, 0), scratch);
      return x;
    });
    // All drawn on the original's range, so that brightness and contrast show.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of sample.x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    setPreview({ shape: sample.shape, pictures: [sample.x, ...pictures], range: [lo, hi] });
  };
  return (
    <details className="augmentation" data-testid="augmentation" open={augments(stored)}>
      <summary>Augmentation{augments(stored) ? ' (on)' : ''}</summary>
      <div className="field">
        <label htmlFor="augment-flip">flip left/right</label>
        <input
          id="augment-flip"
          type="checkbox"
          checked={a.flip}
          onChange={(e) => change({ flip: e.currentTarget.checked })}
        />
      </div>
      {numbers.map(({ key, label, max, whole, hint }) => (
        <div className="field" key={key} title={hint}>
          <label htmlFor={`augment-${key}`}>{label}</label>
          <input
            id={`augment-${key}`}
            type="number"
            min={0}
            max={max}
            step={whole ? 1 : 'any'}
            defaultValue={a[key]}
            key={`${key}-${a[key]}`}
            onBlur={(e) => {
              const v = Number(e.currentTarget.value);
              const ok = Number.isFinite(v) && v >= 0 && v <= max && (!whole || Number.isInteger(v));
              if (!ok) {
                // The field shows the setting in force, never a value that was refused.
                e.currentTarget.value = String(a[key]);
                return setProblem(`${label}: ${whole ? 'a whole number' : 'a number'} from 0 to ${max}`);
              }
              setProblem(null);
              if (v !== a[key]) change({ [key]: v });
            }}
          />
        </div>
      ))}
      <button type="button" data-testid="augmentation-preview-button" onClick={() => void showPreview()}>
        Preview on a training sample
      </button>
      {problem && <p className="field-error">{problem}</p>}
      {preview && drawable(preview.shape) && (
        <div className="feature-maps augmentation-preview" data-testid="augmentation-preview">
          {preview.pictures.map((x, i) => (
            <Thumbnail key={String(i)} input={x} shape={preview.shape} range={preview.range} />
          ))}
        </div>
      )}
    </details>
  );
}
