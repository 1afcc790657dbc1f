/**
 * One number of the training settings: typed freely, checked when the field is left. `check` returns what
 * to apply, or a message for the user (nothing changes then).
 */
export function SettingField<T>({
  label,
  value,
  check,
  onValid,
  onError,
}: {
  label: string;
  value: number;
  check: (v: number) => T | string;
  onValid: (patch: T) => void;
  onError: (message: string) => void;
}) {
  const id = `setting-${label.replaceAll(' ', '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        defaultValue={String(value)}
        key={`${label}-${value}`}
        onBlur={(e) => {
          const v = Number(e.target.value);
          const result = e.target.value.trim() !== '' && Number.isFinite(v) ? check(v) : `${label} must be a number`;
          if (typeof result === 'string') onError(result);
          else onValid(result);
        }}
      />
    </div>
  );
}
