import { useState } from 'react';
import { bundledDatasets, bundledNames } from '../../engine/data/bundled';
import { csvHead } from '../../engine/data/csv';
import { gunzipBounded, isGzip } from '../../engine/data/gunzip';
import { decodeTextHead } from '../../engine/files/decode-text';
import type { GraphDocument } from '../../engine/graph';
import { labelColumns } from '../../engine/graph/training-schema';
import { counted } from '../../engine/words';
import { pickDatasetFiles } from '../platform/dataset-picker';
import { type PickedDataset, pickedMatches, useDatasetFilesStore } from '../store/dataset-files-store';
import { useDocumentStore } from '../store/document-store';

type DatasetSettings = GraphDocument['training']['dataset'];

const generators = ['spiral', 'xor', 'regression', 'sequence', 'bars'] as const;
const fileKinds = { idx: 'IDX files (MNIST family)…', csv: 'CSV file…', images: 'Image folder…' } as const;

/** The select's value for the document's dataset. */
function choiceOf(d: DatasetSettings): string {
  if (d.source === 'sample') return `sample:${d.name}`;
  if (d.source === 'synthetic') return `synthetic:${d.generator}`;
  return d.source === 'image-folder' ? 'images' : d.source;
}

/** The columns of a CSV file (gzipped or not) from its first lines, or why it is not one (checked on pick). */
async function csvColumns(bytes: Uint8Array, name: string): Promise<{ columns: string[] } | { problem: string }> {
  const HEAD = 256 * 1024;
  try {
    const start = isGzip(bytes)
      ? await gunzipBounded(bytes, name, { limit: HEAD, truncate: true })
      : bytes.subarray(0, HEAD);
    return csvHead(decodeTextHead(start), name, start.length === HEAD);
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/**
 * The document's dataset settings for newly picked files. A CSV file that has every column the current
 * settings name (the same file chosen again after the document was opened) keeps its label, feature and
 * normalisation settings; another file's label is its last column.
 */
function settingsFor(picked: PickedDataset, current: DatasetSettings): DatasetSettings | string {
  if (picked.kind === 'images') return { source: 'image-folder', path: picked.name, grayscale: false };
  if (picked.kind === 'csv') {
    const columns = picked.columns ?? [];
    if (columns.length < 2) return `${picked.files[0].path}: the first line must name at least two columns`;
    const path = picked.files[0].path;
    if (current.source === 'csv') {
      const named = [...labelColumns(current), ...(current.featureColumns ?? [])];
      if (named.every((c) => columns.includes(c))) return { ...current, path };
    }
    return { source: 'csv', path, labelColumn: columns[columns.length - 1], normalise: 'z-score' };
  }
  if (picked.files.length !== 2) return `IDX data is two files (images and labels); ${picked.files.length} were picked`;
  // The engine tells images from labels by their rank; names only need to be remembered.
  const [a, b] = picked.files.map((f) => f.path);
  const labelsFirst = /label/i.test(a) && !/label/i.test(b);
  return { source: 'idx', images: labelsFirst ? b : a, labels: labelsFirst ? a : b };
}

/** Dataset choice: a bundled sample, a generator, or your own files (IDX, CSV, a folder of images). */
export function DatasetPicker() {
  const dataset = useDocumentStore((s) => s.document.training.dataset);
  const edit = useDocumentStore((s) => s.edit);
  const { picked, setPicked, setReading } = useDatasetFilesStore();
  const [error, setError] = useState<string | null>(null);
  const setDataset = (d: DatasetSettings) =>
    edit('Change the dataset', (doc) => ({ ...doc, training: { ...doc.training, dataset: d } }));

  const choose = async (value: string) => {
    setError(null);
    const [kind, name] = value.split(':');
    if (kind === 'sample') return setDataset({ source: 'sample', name: name as (typeof bundledNames)[number] });
    if (kind === 'synthetic')
      return setDataset({
        source: 'synthetic',
        generator: name as (typeof generators)[number],
        samples: dataset.source === 'synthetic' ? dataset.samples : 1000,
        noise: dataset.source === 'synthetic' ? dataset.noise : 0.1,
      });
    try {
      const outcome = await pickDatasetFiles(kind as keyof typeof fileKinds, () => setReading(true));
      if (!outcome.ok) return setError(outcome.message);
      if (!outcome.picked) return;
      let picked = outcome.picked;
      if (picked.kind === 'csv') {
        const head = await csvColumns(picked.files[0].bytes, picked.files[0].path);
        if ('problem' in head) return setError(head.problem);
        picked = { ...picked, columns: head.columns };
      }
      const settings = settingsFor(picked, dataset);
      if (typeof settings === 'string') return setError(settings);
      setPicked(picked);
      setDataset(settings);
    } finally {
      setReading(false);
    }
  };

  const fromFiles = dataset.source === 'idx' || dataset.source === 'csv' || dataset.source === 'image-folder';
  const have = pickedMatches(dataset, picked);
  const columns = dataset.source === 'csv' && have ? (picked.columns ?? []) : [];
  return (
    <>
      <div className="field">
        <label htmlFor="setting-dataset">dataset</label>
        <select
          id="setting-dataset"
          data-testid="dataset-choice"
          value={choiceOf(dataset)}
          onChange={(e) => void choose(e.target.value)}
        >
          <optgroup label="Bundled">
            {bundledNames.map((n) => (
              <option key={n} value={`sample:${n}`}>
                {bundledDatasets[n].title}
              </option>
            ))}
          </optgroup>
          <optgroup label="Generated">
            {generators.map((g) => (
              <option key={g} value={`synthetic:${g}`}>
                {g}
              </option>
            ))}
          </optgroup>
          <optgroup label="Your files">
            {Object.entries(fileKinds).map(([k, title]) => (
              <option key={k} value={k}>
                {title}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      {fromFiles && (
        <p className={have ? 'muted' : 'field-error'} data-testid="dataset-files">
          {have
            ? `${counted(picked.files.length, 'file')}: ${picked.name}`
            : 'Files are not stored in the graph: choose them again to train.'}{' '}
          <button
            type="button"
            onClick={() => void choose(dataset.source === 'image-folder' ? 'images' : dataset.source)}
          >
            Choose…
          </button>
        </p>
      )}
      {dataset.source === 'csv' && columns.length > 0 && (
        <div className="field">
          <label htmlFor="setting-label-column">label column</label>
          <select
            id="setting-label-column"
            multiple
            size={Math.min(columns.length, 4)}
            title="The column to predict; Ctrl- or Shift-click for several target columns (values to fit, or 0/1 labels)"
            value={labelColumns(dataset)}
            onChange={(e) => {
              const chosen = Array.from(e.target.selectedOptions, (o) => o.value);
              // A table needs something to predict (unselecting the last column keeps it) and something to
              // predict it from.
              if (chosen.length === 0) return;
              if (chosen.length === columns.length)
                return setError('Every column is a target now: leave at least one as a feature');
              setError(null);
              setDataset({
                ...dataset,
                labelColumn: chosen.length === 1 ? chosen[0] : chosen,
                featureColumns: undefined,
              });
            }}
          >
            {columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          {labelColumns(dataset).length > 1 && (
            <span className="muted setting-note" data-testid="target-columns">
              {counted(labelColumns(dataset).length, 'target column')}: one output each
            </span>
          )}
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
