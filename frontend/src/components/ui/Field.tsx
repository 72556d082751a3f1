import { useId, type ReactNode } from 'react';

/** What a field's control spreads onto itself, so the label, hints and errors describe it. */
export interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

const LABEL_CLASSES = {
  regular: 'block text-sm font-medium text-slate-700',
  small: 'block text-xs font-medium text-slate-700',
  // Still read out; for a control whose purpose the page already shows (a search box).
  hidden: 'sr-only',
};

export interface FieldProps {
  label: string;
  required?: boolean;
  /** Messages shown under the control; any at all mark it invalid. */
  errors?: readonly string[];
  /** Invalid without a message of its own, e.g. over a length the counter already shows. */
  invalid?: boolean;
  /** Ids of other text describing the control (a counter, a suggestion), read before the errors. */
  describedBy?: readonly (string | false | undefined)[];
  /** Shown at the end of the label's line, such as a character counter. */
  aside?: ReactNode;
  labelStyle?: keyof typeof LABEL_CLASSES;
  className?: string;
  children: (control: ControlProps, invalid: boolean) => ReactNode;
}

/** A label, its control and the control's errors, wired together for assistive technology. */
export function Field({
  label,
  required = false,
  errors = [],
  invalid = false,
  describedBy = [],
  aside,
  labelStyle = 'regular',
  className,
  children,
}: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hasErrors = errors.length > 0;
  const shownInvalid = hasErrors || invalid;
  const describedByIds = [...describedBy, hasErrors && errorId].filter(Boolean).join(' ');

  const labelElement = (
    <label htmlFor={id} className={LABEL_CLASSES[labelStyle]}>
      {label}
      {required && (
        <>
          {' '}
          <span className="text-rose-600" aria-hidden="true">
            *
          </span>
        </>
      )}
    </label>
  );

  return (
    <div className={className}>
      {aside ? (
        <div className="flex items-baseline justify-between gap-2">
          {labelElement}
          {aside}
        </div>
      ) : (
        labelElement
      )}
      {children(
        { id, 'aria-invalid': shownInvalid || undefined, 'aria-describedby': describedByIds || undefined },
        shownInvalid,
      )}
      {hasErrors && (
        <p id={errorId} className="mt-1 text-sm text-rose-700">
          {errors.join(' ')}
        </p>
      )}
    </div>
  );
}
