import { useState } from 'react';

import type { FieldErrors } from '../api/errors';

/**
 * A form's text values and the messages about them: `bind(name)` gives a field its value, its
 * messages and a change handler that also clears them, since the user is fixing that field.
 */
export function useFormFields<Values extends { [Field in keyof Values]: string }>(initial: Values) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});

  function edit(change: Partial<Values>) {
    setValues((current) => ({ ...current, ...change }));
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([field]) => !(field in change))));
  }

  return {
    values,
    errors,
    setErrors,
    edit,
    reset: () => {
      setValues(initial);
      setErrors({});
    },
    bind: <Name extends keyof Values & string>(name: Name) => ({
      name,
      value: values[name],
      errors: errors[name],
      onChange: (value: Values[Name]) => edit({ [name]: value } as unknown as Partial<Values>),
    }),
  };
}
