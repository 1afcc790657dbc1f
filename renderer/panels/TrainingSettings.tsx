import { type ReactNode, useState } from 'react';
import type { SettingsPatch } from '../../engine/api';
import { usePaintedLater } from '../runtime/paint-later';
import { isTraining } from '../runtime/session-state';
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
      <header className="settings-head">
        <h2>Training</h2>
        <LockNote />
      </header>
      {/* Locked in two halves, a frame apart (see RunLock). */}
      <RunLock until="closed" frames={1}>
        <DatasetPicker />
      </RunLock>
      <RunLock until="paused" frames={1}>
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
      </RunLock>
      <RunLock until="closed" frames={2}>
        <RunSetup onError={setError} />
      </RunLock>
      <RunLock until="paused" frames={2}>
        <AugmentationSettings />
      </RunLock>
      <RunLock until="closed" frames={2}>
        <BackendChoice backends={backends} />
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

/** The run's state as the settings follow it, `frames` painted frames after the training bar. */
function useLockState(frames: number) {
  // A single step from pause leaves the settings as they were (see the store's `stepping`).
  const state = usePaintedLater(
    useTrainingStore((s) => (s.stepping ? 'paused' : s.state)),
    frames,
  );
  return { running: isTraining(state), paused: state === 'paused' };
}

/**
 * Settings a run locks: until it is paused (what changes a paused run), or until it is closed (what shapes
 * the next run). A fieldset disables every field in it: a run that starts or pauses changes one attribute
 * and re-renders none of the fields (doing both made it one of the page's longest tasks). It follows the
 * run a frame or two after the training bar does, for the same reason: every field, its options and its
 * label are styled again when their fieldset changes (about 140 elements, with the frame's other work over
 * 50 ms on a slow machine), so the settings change in two halves, a frame apart. The fieldsets are
 * siblings, never nested: an outer one would restyle them all at once.
 */
function RunLock({ until, frames, children }: { until: 'paused' | 'closed'; frames: number; children: ReactNode }) {
  const { running, paused } = useLockState(frames);
  return (
    <fieldset className="run-lock" disabled={running || (until === 'closed' && paused)}>
      {children}
    </fieldset>
  );
}

/** Why the settings are greyed out while a run trains: beside the heading, so that nothing below it moves. */
function LockNote() {
  const { running } = useLockState(1);
  return (
    <span className="muted lock-note" hidden={!running}>
      pause the run to change settings
    </span>
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
