import { useRef, useState } from 'react';
import { datasetCountProblem, datasetSizeProblem } from '../../engine/files/pick-limits';
import type { PredictInputs } from '../../engine/train/predict';
import { classShares, predictionsCsv } from '../../engine/train/predictions-csv';
import { counted } from '../../engine/words';
import { droppedFiles } from '../platform/dropped-files';
import { pickFiles } from '../platform/pick-files';
import { saveCsv } from '../platform/save-csv';
import { useDocumentStore } from '../store/document-store';
import { type PredictResult, useTrainingStore } from '../store/training-store';
import { ForOpenDocument } from './ForOpenDocument';
import { drawable, Thumbnail } from './Thumbnail';

/** Pixels of the pad per input pixel. */
const PAD_SCALE = 8;
/** Answers drawn at most; all of them are in the CSV. */
const ANSWERS_SHOWN = 48;
const IMAGE_NAME = /\.(png|jpe?g)$/i;

/**
 * Image files to try, read only once their number and sizes are within the pick limits; or why not.
 * `path` names each input (a dropped folder's files by their path inside it).
 */
async function readImages(files: readonly { path: string; file: File }[]): Promise<PredictInputs | string> {
  if (files.length === 0) return 'No PNG or JPEG images among the files dropped.';
  const problem =
    datasetCountProblem(files.length) ?? datasetSizeProblem(files.map((f) => ({ name: f.path, size: f.file.size })));
  if (problem) return problem;
  const picked = [];
  for (const f of files) picked.push({ path: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) });
  return { kind: 'images', files: picked };
}

/**
 * A pad to draw an input on, sized to the Input ([C, H, W] at 8 screen pixels each): white strokes on black,
 * as Fashion-MNIST and MNIST draw their objects. Its pixels are averaged back to the Input's size.
 */
function DrawPad({ shape, onDrawn }: { shape: readonly number[]; onDrawn: (x: Float32Array) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [, height, width] = shape;
  const context = () => canvas.current?.getContext('2d', { willReadFrequently: true }) ?? null;
  const clear = () => {
    const c = context();
    if (!c) return;
    c.fillStyle = '#000';
    c.fillRect(0, 0, width * PAD_SCALE, height * PAD_SCALE);
  };
  const dot = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const c = context();
    if (!c || !drawing.current) return;
    // From where the pointer is on the page to the pad's own pixels (it may be drawn smaller than it is).
    const box = event.currentTarget.getBoundingClientRect();
    const sx = event.currentTarget.width / box.width;
    const sy = event.currentTarget.height / box.height;
    c.fillStyle = '#fff';
    c.beginPath();
    c.arc((event.clientX - box.left) * sx, (event.clientY - box.top) * sy, 1.4 * PAD_SCALE, 0, 2 * Math.PI);
    c.fill();
  };
  const read = () => {
    const c = context();
    if (!c) return;
    const pixels = c.getImageData(0, 0, width * PAD_SCALE, height * PAD_SCALE).data;
    const plane = new Float32Array(height * width);
    for (let y = 0; y < height * PAD_SCALE; y++)
      for (let x = 0; x < width * PAD_SCALE; x++)
        plane[Math.floor(y / PAD_SCALE) * width + Math.floor(x / PAD_SCALE)] +=
          pixels[4 * (y * width * PAD_SCALE + x)] / 255 / (PAD_SCALE * PAD_SCALE);
    const out = new Float32Array(shape[0] * height * width);
    for (let c2 = 0; c2 < shape[0]; c2++) out.set(plane, c2 * height * width);
    onDrawn(out);
  };
  return (
    <div className="draw-pad">
      <canvas
        ref={(node) => {
          canvas.current = node;
          if (node && !node.dataset.ready) {
            node.dataset.ready = 'true';
            clear();
          }
        }}
        data-testid="try-pad"
        width={width * PAD_SCALE}
        height={height * PAD_SCALE}
        onPointerDown={(e) => {
          drawing.current = true;
          dot(e);
        }}
        onPointerMove={dot}
        onPointerUp={() => {
          drawing.current = false;
        }}
        onPointerLeave={() => {
          drawing.current = false;
        }}
      />
      <div>
        <button type="button" data-testid="try-pad-predict" onClick={read}>
          Predict drawing
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
    </div>
  );
}

/** Most yes/no labels, and most values, listed in one answer. */
const MAX_LABELS_SHOWN = 8;
const MAX_VALUES_SHOWN = 16;

/** One input's answer: the input as the network saw it, and its top classes, its labels or its outputs. */
function Answer({ result, index }: { result: PredictResult; index: number }) {
  const shape = useDocumentStore((s) => s.document.nodes.find((n) => n.kind === 'input')?.params.shape as number[]);
  const per = shape.reduce((a, b) => a * b, 1);
  const row = Array.from(result.outputs.subarray(index * result.width, (index + 1) * result.width));
  const name = (c: number) => result.classNames?.[c] ?? String(c);
  const output = (o: number) => result.outputNames?.[o] ?? String(o);
  const top = (classShares(result, index) ?? [])
    .map((p, c) => [p, c] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 3);
  // Several yes/no labels: each its own probability; the likeliest first, every yes and at least three.
  const likeliest = row.map((p, o) => [p, o] as const).sort((a, b) => b[0] - a[0]);
  const labels = likeliest.slice(0, Math.min(MAX_LABELS_SHOWN, Math.max(3, likeliest.filter(([p]) => p > 0.5).length)));
  const truth = result.targets && trueAnswer(result, index);
  return (
    <figure className="try-answer" data-testid="try-answer">
      {drawable(shape) && <Thumbnail input={result.x.subarray(index * per, (index + 1) * per)} shape={shape} />}
      <figcaption>
        <div className="muted">{result.names[index]}</div>
        {truth && (
          <div
            className={`try-truth${truth.right === undefined ? '' : truth.right ? ' right' : ' wrong'}`}
            data-testid="try-truth"
          >
            {truth.right === undefined ? '' : truth.right ? '✓ ' : '✗ '}true: {truth.text}
          </div>
        )}
        {result.kind === 'labels'
          ? labels.map(([p, o]) => (
              <div key={o} className={`try-class${p > 0.5 ? ' yes' : ''}`} data-testid="try-label">
                <span className="bar" style={{ width: `${Math.round(100 * p)}%` }} />
                {p > 0.5 ? '✓ ' : ''}
                {output(o)} {(100 * p).toFixed(1)}%
              </div>
            ))
          : top.length > 0
            ? top.map(([p, c]) => (
                <div key={c} className="try-class" data-testid="try-class">
                  <span className="bar" style={{ width: `${Math.round(100 * p)}%` }} />
                  {name(c)} {(100 * p).toFixed(1)}%
                </div>
              ))
            : row.slice(0, MAX_VALUES_SHOWN).map((v, o) => (
                <div key={String(o)} data-testid="try-value">
                  {result.outputNames ? `${output(o)} ` : ''}
                  {v.toPrecision(4)}
                </div>
              ))}
        {result.kind === 'values' && row.length > MAX_VALUES_SHOWN && (
          <div className="muted">and {counted(row.length - MAX_VALUES_SHOWN, 'more value')} (Save as CSV for all)</div>
        )}
      </figcaption>
    </figure>
  );
}

/**
 * A row's own label (CSV rows that held their label columns), in words, and whether the answer has it (the
 * top class is the true one; every yes/no label on its side of one half). Values are only shown: how near
 * is near enough is the loss's to say, in the score.
 */
function trueAnswer(result: PredictResult, index: number): { text: string; right?: boolean } {
  const targets = result.targets!;
  const w = result.width;
  const row = result.outputs.subarray(index * w, (index + 1) * w);
  if (result.kind === 'probabilities') {
    const label = targets[index];
    const shares = classShares(result, index)!;
    const best = shares.indexOf(Math.max(...shares));
    return { text: result.classNames?.[label] ?? String(label), right: best === label };
  }
  const want = targets.subarray(index * w, (index + 1) * w);
  const name = (o: number) => result.outputNames?.[o] ?? String(o);
  if (result.kind === 'labels') {
    const yes = Array.from(want.keys()).filter((o) => want[o] > 0.5);
    return {
      text: yes.length > 0 ? yes.slice(0, MAX_LABELS_SHOWN).map(name).join(', ') : 'no label',
      right: Array.from(want).every((t, o) => t > 0.5 === row[o] > 0.5),
    };
  }
  const shown = Array.from(want.subarray(0, MAX_VALUES_SHOWN), (v, o) =>
    result.outputNames ? `${name(o)} ${v.toPrecision(4)}` : v.toPrecision(4),
  );
  return { text: shown.join(', ') + (w > MAX_VALUES_SHOWN ? ', …' : '') };
}

/** What the typed inputs' box asks for: how many numbers a line, for what shape, with an example line. */
function typedPlaceholder(shape: readonly number[]): string {
  const per = shape.reduce((a, b) => a * b, 1);
  const example = Array.from({ length: Math.min(per, 4) }, (_, i) => (i % 2 === 0 ? '0.5' : '-1')).join(', ');
  return `One input a line: ${counted(per, 'number')}${shape.length > 1 ? ` ([${shape.join(', ')}], row by row)` : ''}, e.g. ${example}${per > 4 ? ', …' : ''}`;
}

/**
 * Try the network on inputs of your own: image files or a drawing (image Inputs), rows of CSV (networks
 * trained on a CSV dataset), or numbers typed an input a line (any other Input). Each answer shows the input
 * as the network saw it (resized, scaled) and its top classes with their probabilities (or its outputs); the
 * line below says how long the forward passes took.
 */
export function TryPanel() {
  return (
    <ForOpenDocument>
      <TryDocument />
    </ForOpenDocument>
  );
}

function TryDocument() {
  const shape = useDocumentStore((s) => s.document.nodes.find((n) => n.kind === 'input')?.params.shape as number[]);
  const csv = useDocumentStore((s) => s.document.training.dataset.source === 'csv');
  const predict = useTrainingStore((s) => s.predict);
  const [result, setResult] = useState<PredictResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [rows, setRows] = useState('');
  const [dropping, setDropping] = useState(false);
  const images = shape !== undefined && drawable(shape);
  // Any other network (the toys' points and sequences, a vector Input) takes numbers typed a line an input.
  const typed = shape !== undefined && !images && !csv;
  if (!images && !csv && !typed) return null;
  const run = async (inputs: PredictInputs | string) => {
    const answer = typeof inputs === 'string' ? inputs : await predict(inputs);
    if (typeof answer === 'string') {
      setProblem(answer);
      setResult(null);
    } else {
      setProblem(null);
      setResult(answer);
    }
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the panel is a drop target for files; Choose images… is the keyboard's way to the same
    <section
      className={`try${dropping ? ' dropping' : ''}`}
      data-testid="try"
      // Image files or folders dropped here are tried at once (folders walked, their images in path order).
      onDragOver={(e) => {
        if (!images) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={async (e) => {
        if (!images) return;
        e.preventDefault();
        setDropping(false);
        await run(await readImages(await droppedFiles(e.dataTransfer, (name) => IMAGE_NAME.test(name))));
      }}
    >
      <header>
        <h2>Try</h2>
        {images && (
          <button
            type="button"
            data-testid="try-images"
            onClick={async () => {
              const files = await pickFiles({
                accept: 'image/png,image/jpeg',
                multiple: true,
                testid: 'try-images-input',
              });
              if (files.length > 0) await run(await readImages(files.map((file) => ({ path: file.name, file }))));
            }}
          >
            Choose images…
          </button>
        )}
      </header>
      {images && <DrawPad shape={shape} onDrawn={(x) => void run({ kind: 'rows', x, names: ['drawing'] })} />}
      {csv && (
        <div className="try-csv">
          <textarea
            data-testid="try-csv"
            rows={4}
            placeholder="CSV rows with their header, e.g. the columns the network was trained on"
            value={rows}
            onChange={(e) => setRows(e.target.value)}
          />
          <button
            type="button"
            data-testid="try-csv-run"
            onClick={() => void run({ kind: 'csv', text: rows, file: 'the pasted rows' })}
          >
            Predict rows
          </button>
        </div>
      )}
      {typed && (
        <div className="try-csv">
          <textarea
            data-testid="try-typed"
            rows={4}
            placeholder={typedPlaceholder(shape)}
            value={rows}
            onChange={(e) => setRows(e.target.value)}
          />
          <button type="button" data-testid="try-typed-run" onClick={() => void run({ kind: 'typed', text: rows })}>
            Predict
          </button>
        </div>
      )}
      {problem && (
        <p className="field-error" data-testid="try-problem">
          {problem}
        </p>
      )}
      {result && (
        <>
          <div className="try-answers">
            {result.names.slice(0, ANSWERS_SHOWN).map((n, i) => (
              <Answer key={`${n}-${String(i)}`} result={result} index={i} />
            ))}
          </div>
          {result.score && (
            <p data-testid="try-score">
              Scored against their labels: loss {result.score.loss.toFixed(4)}
              {result.score.accuracy !== undefined && `, accuracy ${(100 * result.score.accuracy).toFixed(1)}%`}
            </p>
          )}
          <p className="muted" data-testid="try-time">
            {counted(result.names.length, 'input')} · forward passes {result.ms.toFixed(1)} ms
            {result.names.length > ANSWERS_SHOWN && ` · the first ${ANSWERS_SHOWN} shown`}
          </p>
          <button
            type="button"
            data-testid="try-csv-download"
            onClick={() =>
              void saveCsv(
                predictionsCsv(result, result.names, 3, result.targets),
                'predictions',
                'predictions.csv',
                'The predictions',
              )
            }
          >
            Save as CSV
          </button>
        </>
      )}
    </section>
  );
}
