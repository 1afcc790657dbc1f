import type { z } from 'zod';
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

const labels: Record<string, string> = {
  lr: 'learning rate',
  eps: 'epsilon',
  everyEpochs: 'every epochs',
  minLr: 'min learning rate',
};

type Props = { submit(patch: SettingsPatch): void; onError(message: string): void };

/**
 * A choice among the kinds of a schema's union (an optimizer, a schedule), then one field per number the
 * chosen kind carries, each checked by the schema as it is left.
 */
function KindWithParams<T extends { kind: string }>({
  name,
  kinds,
  value,
  schema,
  fresh,
  patch,
  submit,
  onError,
}: Props & {
  name: string;
  kinds: readonly string[];
  value: T;
  schema: z.ZodType<T>;
  /** The value for a newly chosen kind. */
  fresh(kind: string): T;
  patch(value: T): SettingsPatch;
}) {
  const params = Object.entries(value as Record<string, unknown>).filter(
    (entry): entry is [string, number] => entry[0] !== 'kind' && typeof entry[1] === 'number',
  );
  return (
    <>
      <div className="field">
        <label htmlFor={`setting-${name}`}>{name}</label>
        <select id={`setting-${name}`} value={value.kind} onChange={(e) => submit(patch(fresh(e.target.value)))}>
          {kinds.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      {params.map(([key, current]) => {
        const label = labels[key] ?? key;
        return (
          <SettingField
            key={`${value.kind}-${key}`}
            label={label}
            value={current}
            check={(v) => {
              const parsed = schema.safeParse({ ...value, [key]: v });
              return parsed.success ? patch(parsed.data) : `${label}: ${parsed.error.issues[0].message}`;
            }}
            onValid={submit}
            onError={onError}
          />
        );
      })}
    </>
  );
}

/**
 * The optimizer with each of its own hyper-parameters (from its schema: momentum, ρ, β₁, β₂, ε), and the
 * learning-rate schedule with its parameters. All of them change a paused run too.
 */
export function OptimizerSettings(props: Props) {
  const optimizer = useDocumentStore((s) => s.document.training.optimizer);
  const schedule = useDocumentStore((s) => s.document.training.schedule);
  return (
    <>
      <KindWithParams
        {...props}
        name="optimizer"
        kinds={optimizers}
        value={optimizer}
        schema={optimizerSchema}
        fresh={(kind) => optimizerSchema.parse({ kind, lr: optimizer.lr })}
        patch={(o) => ({ optimizer: o })}
      />
      <KindWithParams
        {...props}
        name="schedule"
        kinds={schedules}
        value={schedule}
        schema={scheduleSchema}
        fresh={(kind) => scheduleSchema.parse({ kind, ...scheduleDefaults[kind as (typeof schedules)[number]] })}
        patch={(s) => ({ schedule: s })}
      />
    </>
  );
}
