import { useEffect, useState } from 'react';
import type { LookInsideAnswer, LookInsideQuestion, UnitsOverPlane } from '../../../engine/api';
import { useDocumentStore } from '../../store/document-store';
import { useTrainingStore, type WithoutInput } from '../../store/training-store';
import { ForOpenDocument } from '../ForOpenDocument';
import { drawable, Thumbnail } from '../Thumbnail';
import { Heatmap } from './Heatmap';
import { WeightPictures } from './WeightPictures';

type View = LookInsideQuestion['kind'];

/**
 * The views a layer of this kind offers: what it computes, why, its states over time, its weights, and, in a
 * network of 2-D points, each of its units over the plane (no input needed: the whole plane is the input).
 */
function viewsOf(kind: string, tried: boolean, overPlane: boolean): { view: View; label: string }[] {
  const views: { view: View; label: string }[] = [];
  if (overPlane) views.push({ view: 'plane', label: 'Units over the plane' });
  if (tried && kind !== 'input') views.push({ view: 'output', label: 'Output' });
  if (tried) views.push({ view: 'explain', label: kind === 'input' ? 'Saliency' : 'Why (saliency, Grad-CAM)' });
  if (tried && (kind === 'rnn' || kind === 'lstm')) views.push({ view: 'states', label: 'States over time' });
  if (kind === 'dense' || kind === 'conv2d' || kind === 'rnn' || kind === 'lstm')
    views.push({ view: 'weights', label: 'Weights' });
  return views;
}

/**
 * Look inside, from the layer selected on the canvas: for the input last tried (the Try panel) what the layer
 * makes of it, why the network scores it as it does (saliency over the input, Grad-CAM over this layer's
 * feature maps), a recurrent layer's states over the steps; and a layer's weights as pictures. Every answer
 * comes from the engine's own passes on the current weights.
 */
export function LookInside(props: { id: string; kind: string; outputShape?: readonly number[] }) {
  return (
    <ForOpenDocument>
      <LookInsideDocument {...props} />
    </ForOpenDocument>
  );
}

function LookInsideDocument({ id, kind, outputShape }: { id: string; kind: string; outputShape?: readonly number[] }) {
  const lastTry = useTrainingStore((s) => s.lastTry);
  const lookInside = useTrainingStore((s) => s.lookInside);
  const [target, setTarget] = useState<number | undefined>(undefined);
  const [answer, setAnswer] = useState<{ layer: string; input: object | null; result: LookInsideAnswer | string }>();
  const pointsIn = useDocumentStore((s) => {
    const shape = s.document.nodes.find((n) => n.kind === 'input')?.params.shape as number[] | undefined;
    return shape?.length === 1 && shape[0] === 2;
  });
  const views = viewsOf(kind, lastTry !== null, pointsIn && kind !== 'input' && outputShape?.length === 1);
  const watchPlane = useTrainingStore((s) => s.watchPlaneUnits);
  // The units over the plane, once asked for, follow the run: the latest the engine sent for this layer.
  const live = useTrainingStore((s) => (s.planeUnits?.nodeId === id ? s.planeUnits.units : null));
  // Shown only for the layer and the input it was asked for: another of either and it no longer applies.
  const inputFree =
    typeof answer?.result === 'object' && (answer.result.kind === 'weights' || answer.result.kind === 'plane');
  const shown = answer && answer.layer === id && (inputFree || answer.input === lastTry) ? answer.result : null;
  const planeShown = typeof shown === 'object' && shown?.kind === 'plane';
  useEffect(() => {
    if (!planeShown) return;
    watchPlane(id);
    return () => watchPlane(null);
  }, [planeShown, id, watchPlane]);
  if (views.length === 0) return null;
  // Grad-CAM over this layer when it makes feature maps, else over the network's last such layer.
  const makesMaps = kind !== 'input' && outputShape?.length === 3;
  const ask = async (question: WithoutInput<LookInsideQuestion>) =>
    setAnswer({ layer: id, input: lastTry, result: await lookInside(question) });
  const questionOf = (view: View, chosen = target): WithoutInput<LookInsideQuestion> => {
    if (view === 'explain')
      return {
        kind: 'explain',
        ...(chosen !== undefined && { target: chosen }),
        ...(makesMaps && { gradCamLayer: id }),
      };
    return { kind: view, nodeId: id };
  };
  return (
    <section className="layer-output" data-testid="layer-output">
      <h3>Look inside{lastTry && ` · ${lastTry.name}`}</h3>
      <div className="look-inside-views">
        {views.map(({ view, label }) => (
          <button key={view} type="button" data-testid={`look-${view}`} onClick={() => ask(questionOf(view))}>
            {label}
          </button>
        ))}
      </div>
      {typeof shown === 'string' && <p className="field-error">{shown}</p>}
      {shown && typeof shown === 'object' && shown.kind === 'output' && <OutputView answer={shown} />}
      {shown && typeof shown === 'object' && shown.kind === 'explain' && lastTry && (
        <ExplainView
          answer={shown}
          input={lastTry.x}
          classNames={lastTry.classNames}
          onTarget={(t) => {
            setTarget(t);
            ask(questionOf('explain', t));
          }}
        />
      )}
      {shown && typeof shown === 'object' && shown.kind === 'states' && (
        <div className="states" data-testid="states-over-time">
          {shown.states.map((s) => (
            <Heatmap
              key={s.name}
              values={transpose(s.values, s.steps, s.width)}
              rows={s.width}
              columns={s.steps}
              signed={!s.name.includes('gate') && s.name !== 'cell candidate'}
              label={`${s.name}: ${s.width} units (rows) over ${s.steps} steps`}
            />
          ))}
        </div>
      )}
      {shown && typeof shown === 'object' && shown.kind === 'weights' && <WeightPictures answer={shown} />}
      {shown && typeof shown === 'object' && shown.kind === 'plane' && <PlaneUnits answer={live ?? shown} />}
    </section>
  );
}

/**
 * Each unit over the input plane, as TensorFlow Playground draws its neurons: blue below zero, red above,
 * white at zero, each unit by its own largest magnitude; the plane's top is its largest x₂.
 */
function PlaneUnits({ answer }: { answer: UnitsOverPlane }) {
  const cells = answer.resolution * answer.resolution;
  return (
    <div className="plane-units" data-testid="plane-units">
      {Array.from({ length: answer.units }, (_, u) => (
        <Heatmap
          key={String(u)}
          values={answer.values.subarray(u * cells, (u + 1) * cells)}
          rows={answer.resolution}
          columns={answer.resolution}
          signed
          label={`unit ${u}`}
        />
      ))}
      {answer.of > answer.units && (
        <p className="muted">
          the first {answer.units} of {answer.of} units
        </p>
      )}
    </div>
  );
}

/** [steps, width] as [width, steps]: time runs left to right, one row per unit. */
function transpose(values: Float32Array, steps: number, width: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let t = 0; t < steps; t++) for (let j = 0; j < width; j++) out[j * steps + t] = values[t * width + j];
  return out;
}

function OutputView({ answer }: { answer: Extract<LookInsideAnswer, { kind: 'output' }> }) {
  const [channels, height, width] = answer.shape;
  const plane = height * width;
  if (answer.shape.length === 3)
    return (
      <div className="feature-maps" data-testid="feature-maps">
        {Array.from({ length: channels }, (_, c) => (
          <Thumbnail
            key={String(c)}
            input={answer.values.subarray(c * plane, (c + 1) * plane)}
            shape={[1, height, width]}
          />
        ))}
      </div>
    );
  return (
    <div className="feature-maps" data-testid="feature-maps">
      <Thumbnail input={answer.values} shape={[1, 1, answer.values.length]} />
      <span className="muted">
        {answer.values.length} values, from {Math.min(...answer.values).toPrecision(3)} to{' '}
        {Math.max(...answer.values).toPrecision(3)}
      </span>
    </div>
  );
}

function ExplainView({
  answer,
  input,
  classNames,
  onTarget,
}: {
  answer: Extract<LookInsideAnswer, { kind: 'explain' }>;
  input: Float32Array;
  classNames?: string[];
  onTarget(target: number): void;
}) {
  const shape = answer.inputShape;
  const picture = drawable(shape) ? { values: input, shape } : undefined;
  const outputs = classNames ?? [];
  return (
    <div className="explain" data-testid="explanation">
      {outputs.length > 0 && (
        <label>
          Why{' '}
          <select
            data-testid="explain-target"
            value={answer.target}
            onChange={(e) => onTarget(Number(e.currentTarget.value))}
          >
            {outputs.map((name, i) => (
              <option key={name} value={i}>
                {name}
              </option>
            ))}
          </select>{' '}
          <span className="muted">score {answer.score.toPrecision(3)}</span>
        </label>
      )}
      <div className="feature-maps">
        {picture && <Thumbnail input={input} shape={shape} />}
        <Heatmap
          testId="saliency"
          values={answer.saliency}
          rows={shape.length === 3 ? shape[1] : 1}
          columns={shape.length === 3 ? shape[2] : answer.saliency.length}
          under={picture}
          label="saliency: |∂score/∂input|"
        />
        {answer.gradCam && (
          <Heatmap
            testId="grad-cam"
            values={answer.gradCam.values}
            rows={answer.gradCam.height}
            columns={answer.gradCam.width}
            under={picture}
            label={`Grad-CAM of ${answer.gradCam.nodeId}`}
          />
        )}
      </div>
    </div>
  );
}
