import { useState } from 'react';
import { useTrainingStore } from '../store/training-store';
import { Thumbnail } from './Thumbnail';

/**
 * Look inside: what the selected layer makes of the input last tried (the Try panel): a convolution's
 * feature maps as a grid of pictures, one per channel, each scaled to its own range; a vector as a strip.
 */
export function LayerOutput({ id }: { id: string }) {
  const lastTry = useTrainingStore((s) => s.lastTry);
  const layerOutput = useTrainingStore((s) => s.layerOutput);
  const [answer, setAnswer] = useState<{
    layer: string;
    input: object;
    result: { shape: number[]; values: Float32Array } | string;
  } | null>(null);
  // Shown only for the layer and the input it was asked for: another of either and it no longer applies.
  const shown = answer && answer.layer === id && answer.input === lastTry ? answer.result : null;
  if (!lastTry) return null;
  const [channels, height, width] = typeof shown === 'object' && shown ? shown.shape : [0, 0, 0];
  const plane = height * width;
  return (
    <section className="layer-output" data-testid="layer-output">
      <button
        type="button"
        data-testid="show-layer-output"
        onClick={async () => setAnswer({ layer: id, input: lastTry, result: await layerOutput(id) })}
      >
        What this layer makes of {lastTry.name}
      </button>
      {typeof shown === 'string' && <p className="field-error">{shown}</p>}
      {shown && typeof shown === 'object' && shown.shape.length === 3 && (
        <div className="feature-maps" data-testid="feature-maps">
          {Array.from({ length: channels }, (_, c) => (
            <Thumbnail
              key={String(c)}
              input={shown.values.subarray(c * plane, (c + 1) * plane)}
              shape={[1, height, width]}
            />
          ))}
        </div>
      )}
      {shown && typeof shown === 'object' && shown.shape.length !== 3 && (
        <div className="feature-maps" data-testid="feature-maps">
          <Thumbnail input={shown.values} shape={[1, 1, shown.values.length]} />
          <span className="muted">
            {shown.values.length} values, from {Math.min(...shown.values).toPrecision(3)} to{' '}
            {Math.max(...shown.values).toPrecision(3)}
          </span>
        </div>
      )}
    </section>
  );
}
