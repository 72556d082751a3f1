import { Spinner } from './Spinner';
import { primaryButtonClass } from './styles';

interface SubmitButtonProps {
  pending: boolean;
  label: string;
  pendingLabel: string;
  disabled?: boolean;
  className?: string;
}

/** A form's main button: disabled, with a spinner and its own words, while the form is being sent. */
export function SubmitButton({ pending, label, pendingLabel, disabled = false, className = '' }: SubmitButtonProps) {
  return (
    <button type="submit" disabled={pending || disabled} className={`${primaryButtonClass} ${className}`}>
      {pending && <Spinner />}
      {pending ? pendingLabel : label}
    </button>
  );
}
