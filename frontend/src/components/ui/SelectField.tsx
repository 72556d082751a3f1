import { Field, type FieldProps } from './Field';
import { selectClass } from './styles';

interface SelectFieldBaseProps<T extends string> extends Omit<FieldProps, 'children'> {
  name?: string;
  options: readonly T[];
  optionLabels: Record<T, string>;
  /** Focused first when its dialog opens (see Modal). */
  autoFocus?: boolean;
}

/** With `noneLabel`, a first option ("Auto-detect", "All") stands for no value: ''. */
type SelectFieldProps<T extends string> = SelectFieldBaseProps<T> &
  (
    | { noneLabel: string; value: T | ''; onChange: (value: T | '') => void }
    | { noneLabel?: undefined; value: T; onChange: (value: T) => void }
  );

/** A labelled choice among a fixed list of values, shown by their labels. */
export function SelectField<T extends string>(props: SelectFieldProps<T>) {
  const { name, options, optionLabels, autoFocus, noneLabel, value, onChange, ...field } = props;

  function choose(raw: string) {
    const chosen = options.find((option) => option === raw);
    if (chosen !== undefined) onChange(chosen);
    else if (props.noneLabel !== undefined) props.onChange('');
  }

  return (
    <Field {...field}>
      {(control, invalid) => (
        <select
          {...control}
          name={name}
          value={value}
          data-autofocus={autoFocus || undefined}
          onChange={(event) => choose(event.target.value)}
          className={selectClass(invalid)}
        >
          {noneLabel !== undefined && <option value="">{noneLabel}</option>}
          {options.map((option) => (
            <option key={option} value={option}>
              {optionLabels[option]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
