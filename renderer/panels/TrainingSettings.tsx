import { type ReactNode, useState } from 'react';
import type { SettingsPatch } from '../../engine/api';
import { usePaintedLater } from '../runtime/paint-later';
import type { BackendsState } from '../runtime/use-backends';
import { useDocumentStore } from '../store/document-store';
import { useTrainingStore } from '../store/training-store';
import { useViewStore } from '../store/view-store';
import { AugmentationSettings } from './AugmentationSettings';
import { DatasetPicker } from './DatasetPicker';
import { OptimizerSettings } from './OptimizerSettings';
import { RunSetup } from './RunSetup';
import { SettingField } from './SettingField';

/**
 * The document's training settings. The optimizer, schedule, batch size, epochs and L2 change a paused run
 * too (its optimizer state kept); the dataset, loss, split, sampling, seed and backend shape the next run.
 */
export function TrainingSettings({ backends }: { backends: BackendsState }) {
  const training = useDocumentStore((s) => s.document.training);
  const apply = useTrainingStore((s) => s.applySettings);
  const [error, setError] = useState<string | null>(null);
  const submit = (patch: SettingsPatch) => {
    setError(null);
    apply(patch).catch((e: Error) => setError(e.message));
  };
  const field = (label: string, value: number, check: (v: number) => SettingsPatch | string) => (
    <SettingField label={label} value={value} check={check} onValid={submit} onError={setError} />
  );
  return (
    <section className="training-settings" data-testid="training-settings">
      <h2>Training</h2>
      <RunLock until="paused">
        <RunLock until="closed">
          <DatasetPicker />
        </RunLock>
        <OptimizerSettings submit={submit} onError={setError} />
        {field('batch size', training.batchSize, (v) =>
          Number.isInteger(v) && v >= 1 && v <= 65536 ? { batchSize: v } : 'batch size: a whole number from 1 to 65536',
        )}
        {field('epochs', training.epochs, (v) =>
          Number.isInteger(v) && v >= 1 && v <= 100000 ? { epochs: v } : 'epochs: a whole number from 1 to 100000',
        )}
        {field('L2', training.regularization.l2, (v) =>
          v >= 0 && v <= 1000 ? { regularization: { ...training.regularization, l2: v } } : 'L2: from 0 to 1000',
        )}
        <RunLock until="closed">
          <RunSetup onError={setError} />
        </RunLock>
        <AugmentationSettings />
        <RunLock until="closed">
          <BackendChoice backends={backends} />
        </RunLock>
      </RunLock>
      <button
        type="button"
        data-testid="open-sweep"
        title="Train the graph with other settings, one run after another, and compare"
        onClick={() => useViewStore.getState().setResultsTab('sweep')}
      >
        Sweep settings…
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * Settings a run locks: until it is paused (what changes a paused run), or until it is closed (what shapes
 * the next run). A fieldset disables every field in it: a run that starts or pauses changes one attribute
 * and re-renders none of the fields (doing both made it one of the page's longest tasks). It follows the
 * run a frame after the training bar does, for the same reason.
 */
function RunLock({ until, children }: { until: 'paused' | 'closed'; children: ReactNode }) {
  // A single step from pause leaves the settings as they were (see the store's `stepping`).
  const state = usePaintedLater(
    useTrainingStore((s) => (s.stepping ? 'paused' : s.state)),
    1,
  );
  const running = state === 'running' || state === 'opening' || state === 'recovering';
  const locked = running || (until === 'closed' && state === 'paused');
  return (
    <>
      {until === 'paused' && locked && <p className="muted">pause the run to change settings</p>}
      <fieldset className="run-lock" disabled={locked}>
        {children}
      </fieldset>
    </>
  );
}

/**
 * Where the run trains: auto (WebGPU on a hardware GPU, else the CPU: a software adapter is never chosen
 * by itself), the CPU, or WebGPU on this machine's adapter (selectable whenever there is one).
 */
function BackendChoice({ backends }: { backends: BackendsState }) {
  const backend = useDocumentStore((s) => s.document.training.backend);
  const edit = useDocumentStore((s) => s.edit);
  const list = backends.state === 'ready' ? backends.backends : [];
  const cpu = list.find((b) => b.id === 'cpu');
  const gpu = list.find((b) => b.id === 'webgpu');
  const autoPicks = gpu?.available && !gpu.software ? 'GPU' : 'CPU';
  return (
    <div className="field">
      <label htmlFor="setting-backend">backend</label>
      <select
        id="setting-backend"
        value={backend}
        onChange={(e) =>
          edit('Change the backend', (doc) => ({
            ...doc,
            training: { ...doc.training, backend: e.target.value as 'auto' | 'cpu' | 'webgpu' },
          }))
        }
      >
        <option value="auto">auto ({autoPicks})</option>
        <option value="cpu">CPU{cpu?.detail ? ` (${cpu.detail})` : ''}</option>
        <option value="webgpu" disabled={!gpu?.available}>
          WebGPU{gpu?.available ? `: ${gpu.label}${gpu.software ? ' (software, slow)' : ''}` : ' (no adapter)'}
        </option>
      </select>
    </div>
  );
}
