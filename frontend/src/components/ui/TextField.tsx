import { useId } from 'react';

import { Field, type FieldProps } from './Field';
import { inputClass } from './styles';

interface TextFieldProps extends Omit<FieldProps, 'children'> {
  name: string;
  type?: 'text' | 'email' | 'password';
  value: string;
  onChange: (value: string) => void;
  autoComplete?: string;
  placeholder?: string;
  /** A line under the control saying what it takes, read out with it. */
  hint?: string;
}

/** A labelled one-line text box. */
export function TextField({
  name,
  type = 'text',
  value,
  onChange,
  autoComplete,
  placeholder,
  hint,
  describedBy = [],
  ...field
}: TextFieldProps) {
  const hintId = useId();
  return (
    <Field {...field} describedBy={[...describedBy, hint && hintId]}>
      {(control, invalid) => (
        <>
          <input
            {...control}
            name={name}
            type={type}
            value={value}
            required={field.required}
            autoComplete={autoComplete}
            placeholder={placeholder}
            onChange={(event) => onChange(event.target.value)}
            className={inputClass(invalid)}
          />
          {hint && (
            <p id={hintId} className="mt-1 text-xs text-slate-500">
              {hint}
            </p>
          )}
        </>
      )}
    </Field>
  );
}
