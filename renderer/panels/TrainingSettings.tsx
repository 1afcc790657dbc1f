import { useState } from 'react';
import type { SettingsPatch } from '../../engine/api';
import { optimizerSchema } from '../../engine/graph/training-schema';
import type { BackendsState } from '../runtime/use-backends';
import { useDocumentStore } from '../store/document-store';
import { useTrainingStore } from '../store/training-store';
import { DatasetPicker } from './DatasetPicker';

const optimizers = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam'] as const;

/** The document's training settings; while a run is paused they change the run too (optimizer state kept). */
export function TrainingSettings({ backends }: { backends: BackendsState }) {
  const training = useDocumentStore((s) => s.document.training);
  const state = useTrainingStore((s) => s.state);
  const apply = useTrainingStore((s) => s.applySettings);
  const [error, setError] = useState<string | null>(null);
  const locked = state === 'running' || state === 'opening' || state === 'recovering';
  const submit = (patch: SettingsPatch) => {
    setError(null);
    apply(patch).catch((e: Error) => setError(e.message));
  };
  const number = (label: string, value: number, onValid: (v: number) => SettingsPatch | string) => (
    <div className="field">
      <label htmlFor={`setting-${label.replaceAll(' ', '-')}`}>{label}</label>
      <input
        id={`setting-${label.replaceAll(' ', '-')}`}
        type="text"
        inputMode="decimal"
        defaultValue={String(value)}
        key={`${label}-${value}`}
        disabled={locked}
        onBlur={(e) => {
          const v = Number(e.target.value);
          const patch = Number.isFinite(v) ? onValid(v) : `${label} must be a number`;
          if (typeof patch === 'string') setError(patch);
          else submit(patch);
        }}
      />
    </div>
  );
  return (
    <section className="training-settings" data-testid="training-settings">
      <h2>Training</h2>
      <p className="muted">
        loss {training.loss.kind}
        {locked ? ' · pause the run to change settings' : ''}
      </p>
      <DatasetPicker locked={locked || state === 'paused'} />
      <div className="field">
        <label htmlFor="setting-optimizer">optimizer</label>
        <select
          id="setting-optimizer"
          value={training.optimizer.kind}
          disabled={locked}
          onChange={(e) =>
            submit({ optimizer: optimizerSchema.parse({ kind: e.target.value, lr: training.optimizer.lr }) })
          }
        >
          {optimizers.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </div>
      {number('learning rate', training.optimizer.lr, (lr) => {
        const parsed = optimizerSchema.safeParse({ ...training.optimizer, lr });
        return parsed.success ? { optimizer: parsed.data } : `learning rate: ${parsed.error.issues[0].message}`;
      })}
      {number('batch size', training.batchSize, (v) =>
        Number.isInteger(v) && v >= 1 && v <= 65536 ? { batchSize: v } : 'batch size: a whole number from 1 to 65536',
      )}
      {number('epochs', training.epochs, (v) =>
        Number.isInteger(v) && v >= 1 && v <= 100000 ? { epochs: v } : 'epochs: a whole number from 1 to 100000',
      )}
      {number('L2', training.regularization.l2, (v) =>
        v >= 0 && v <= 1000 ? { regularization: { ...training.regularization, l2: v } } : 'L2: from 0 to 1000',
      )}
      <BackendChoice backends={backends} locked={locked || state === 'paused'} />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * Where the run trains: auto (the CPU until the GPU backend exists; a software adapter is never chosen),
 * the CPU, or WebGPU with the adapter's name (offered, but not selectable yet).
 */
function BackendChoice({ backends, locked }: { backends: BackendsState; locked: boolean }) {
  const backend = useDocumentStore((s) => s.document.training.backend);
  const edit = useDocumentStore((s) => s.edit);
  const list = backends.state === 'ready' ? backends.backends : [];
  const cpu = list.find((b) => b.id === 'cpu');
  const gpu = list.find((b) => b.id === 'webgpu');
  return (
    <div className="field">
      <label htmlFor="setting-backend">backend</label>
      <select
        id="setting-backend"
        value={backend === 'webgpu' ? 'auto' : backend}
        disabled={locked}
        onChange={(e) =>
          edit('Change the backend', (doc) => ({
            ...doc,
            training: { ...doc.training, backend: e.target.value as 'auto' | 'cpu' },
          }))
        }
      >
        <option value="auto">auto (CPU)</option>
        <option value="cpu">CPU{cpu?.detail ? ` (${cpu.detail})` : ''}</option>
        <option value="webgpu" disabled>
          WebGPU{gpu?.available ? `: ${gpu.label}` : ''} (GPU training is not built yet)
        </option>
      </select>
    </div>
  );
}
