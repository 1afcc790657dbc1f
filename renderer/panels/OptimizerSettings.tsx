import type { SettingsPatch } from '../../engine/api';
import { optimizerSchema, scheduleSchema } from '../../engine/graph/training-schema';
import { useDocumentStore } from '../store/document-store';
import { SettingField } from './SettingField';

const optimizers = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam'] as const;
const schedules = ['constant', 'exponential', 'step', 'cosine'] as const;
/** Defaults for a schedule picked from the list (each then editable). */
const scheduleDefaults = {
  constant: {},
  exponential: { decay: 0.1 },
  step: { everyEpochs: 10, gamma: 0.5 },
  cosine: { minLr: 0 },
} as const;

type Props = { disabled: boolean; submit(patch: SettingsPatch): void; onError(message: string): void };

/**
 * The optimizer with each of its own hyper-parameters (from its schema: momentum, ρ, β₁, β₂, ε), and the
 * learning-rate schedule with its parameters. All of them change a paused run too.
 */
export function OptimizerSettings({ disabled, submit, onError }: Props) {
  const optimizer = useDocumentStore((s) => s.document.training.optimizer);
  const schedule = useDocumentStore((s) => s.document.training.schedule);
  const hyper = Object.entries(optimizer).filter(([key]) => key !== 'kind') as [string, number][];
  const scheduleParams = Object.entries(schedule).filter(([key]) => key !== 'kind') as [string, number][];
  const labels: Record<string, string> = {
    lr: 'learning rate',
    momentum: 'momentum',
    rho: 'rho',
    beta1: 'beta1',
    beta2: 'beta2',
    eps: 'epsilon',
    decay: 'decay',
    everyEpochs: 'every epochs',
    gamma: 'gamma',
    minLr: 'min learning rate',
  };
  return (
    <>
      <div className="field">
        <label htmlFor="setting-optimizer">optimizer</label>
        <select
          id="setting-optimizer"
          value={optimizer.kind}
          disabled={disabled}
          onChange={(e) => submit({ optimizer: optimizerSchema.parse({ kind: e.target.value, lr: optimizer.lr }) })}
        >
          {optimizers.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </div>
      {hyper.map(([key, value]) => (
        <SettingField
          key={`${optimizer.kind}-${key}`}
          label={labels[key] ?? key}
          value={value}
          disabled={disabled}
          check={(v) => {
            const parsed = optimizerSchema.safeParse({ ...optimizer, [key]: v });
            return parsed.success
              ? { optimizer: parsed.data }
              : `${labels[key] ?? key}: ${parsed.error.issues[0].message}`;
          }}
          onValid={submit}
          onError={onError}
        />
      ))}
      <div className="field">
        <label htmlFor="setting-schedule">schedule</label>
        <select
          id="setting-schedule"
          value={schedule.kind}
          disabled={disabled}
          onChange={(e) => {
            const kind = e.target.value as (typeof schedules)[number];
            submit({ schedule: scheduleSchema.parse({ kind, ...scheduleDefaults[kind] }) });
          }}
        >
          {schedules.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      {scheduleParams.map(([key, value]) => (
        <SettingField
          key={`${schedule.kind}-${key}`}
          label={labels[key] ?? key}
          value={value}
          disabled={disabled}
          check={(v) => {
            const parsed = scheduleSchema.safeParse({ ...schedule, [key]: v });
            return parsed.success
              ? { schedule: parsed.data }
              : `${labels[key] ?? key}: ${parsed.error.issues[0].message}`;
          }}
          onValid={submit}
          onError={onError}
        />
      ))}
    </>
  );
}
