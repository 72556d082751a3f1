import { describeError } from '../../api/errors';
import { ErrorAlert } from './Alert';
import { secondaryButtonClass } from './styles';

/** Something that could not be loaded at all: why, and a way to ask again. */
export function LoadError({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => unknown }) {
  return (
    <ErrorAlert
      title={title}
      action={
        <button type="button" onClick={() => onRetry()} className={secondaryButtonClass}>
          Try again
        </button>
      }
    >
      {describeError(error)}
    </ErrorAlert>
  );
}
