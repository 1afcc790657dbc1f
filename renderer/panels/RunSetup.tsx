import type { GraphDocument } from '../../engine/graph';
import { useDocumentStore } from '../store/document-store';
import { SettingField } from './SettingField';

type Training = GraphDocument['training'];
const losses: Training['loss']['kind'][] = ['softmax-cross-entropy', 'sigmoid-binary-cross-entropy', 'mse'];
const samplings: Training['sampling'][] = ['mini-batch', 'stochastic', 'full-batch'];

/**
 * Settings that shape a new run rather than change one (a run keeps its data split, loss and seed): the
 * validation split, the loss, the sampling and the seed. Locked while a run is open.
 */
export function RunSetup({ onError }: { onError(message: string): void }) {
  const training = useDocumentStore((s) => s.document.training);
  const edit = useDocumentStore((s) => s.edit);
  const set = (label: string, patch: Partial<Training>) =>
    edit(label, (doc) => ({ ...doc, training: { ...doc.training, ...patch } }));
  return (
    <>
      <div className="field">
        <label htmlFor="setting-loss">loss</label>
        <select
          id="setting-loss"
          value={training.loss.kind}
          onChange={(e) =>
            set('Change the loss', { loss: { ...training.loss, kind: e.target.value as Training['loss']['kind'] } })
          }
        >
          {losses.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="setting-sampling">sampling</label>
        <select
          id="setting-sampling"
          value={training.sampling}
          onChange={(e) => set('Change the sampling', { sampling: e.target.value as Training['sampling'] })}
        >
          {samplings.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <SettingField
        label="validation split"
        value={training.validation.split}
        check={(v) => (v >= 0 && v <= 0.9 ? v : 'validation split: from 0 to 0.9')}
        onValid={(split) => set('Change the validation split', { validation: { split } })}
        onError={onError}
      />
      <SettingField
        label="seed"
        value={training.seed}
        check={(v) =>
          Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff ? v : 'seed: a whole number from 0 to 4294967295'
        }
        onValid={(seed) => set('Change the seed', { seed })}
        onError={onError}
      />
    </>
  );
}
