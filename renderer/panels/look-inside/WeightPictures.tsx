import type { LookInsideAnswer } from '../../../engine/api';
import { Thumbnail } from '../Thumbnail';
import { Heatmap } from './Heatmap';

/** Pictures drawn at most: the first filters or units (a layer of 512 would fill the inspector). */
const MOST = 64;

/**
 * A layer's weights as pictures: a convolution's filters [F, C, kh, kw] (in colour for three input channels,
 * gray for one, else channel by channel), a dense layer's weights per unit laid out as the image it reads,
 * any other weight matrix as one signed map.
 */
export function WeightPictures({ answer }: { answer: Extract<LookInsideAnswer, { kind: 'weights' }> }) {
  const { shape, values, imageShape } = answer;
  if (shape.length === 4) {
    const [filters, channels, kh, kw] = shape;
    const per = channels * kh * kw;
    const asOne = channels === 1 || channels === 3;
    const shown = Math.min(filters, MOST);
    return (
      <div className="feature-maps weights" data-testid="weight-pictures">
        {Array.from({ length: shown }, (_, f) =>
          asOne ? (
            <Thumbnail key={String(f)} input={values.subarray(f * per, (f + 1) * per)} shape={[channels, kh, kw]} />
          ) : (
            <Thumbnail key={String(f)} input={values.subarray(f * per, (f + 1) * per)} shape={[1, channels * kh, kw]} />
          ),
        )}
        <span className="muted">
          {shown < filters ? `the first ${shown} of ` : ''}
          {filters} filters of {channels} × {kh} × {kw}
        </span>
      </div>
    );
  }
  const [rows, columns] = shape;
  if (imageShape && (imageShape[0] === 1 || imageShape[0] === 3)) {
    // W is [in, out]: unit j's weights are column j, in the order of the flattened image.
    const shown = Math.min(columns, MOST);
    return (
      <div className="feature-maps weights" data-testid="weight-pictures">
        {Array.from({ length: shown }, (_, j) => {
          const unit = new Float32Array(rows);
          for (let i = 0; i < rows; i++) unit[i] = values[i * columns + j];
          return <Thumbnail key={String(j)} input={unit} shape={imageShape} />;
        })}
        <span className="muted">
          {shown < columns ? `the first ${shown} of ` : ''}
          {columns} units, each over the {imageShape.join(' × ')} input
        </span>
      </div>
    );
  }
  return (
    <div className="feature-maps weights" data-testid="weight-pictures">
      <Heatmap values={values} rows={rows} columns={columns} signed label={`W: ${rows} × ${columns}`} />
    </div>
  );
}
