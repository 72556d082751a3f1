import { useId } from 'react';

import { errorDetail } from '../api/errors';
import { useMe, useUpdateNotifications } from '../api/queries/useMe';
import { ErrorAlert } from './ui/Alert';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';
import { cardClass } from './ui/styles';

/** Staff: which mail the signed-in person gets besides the tickets assigned to them. */
export function MyNotificationsSection() {
  const headingId = useId();
  const checkboxId = useId();
  const hintId = useId();
  const me = useMe();
  const update = useUpdateNotifications();

  return (
    <section aria-labelledby={headingId} className={`${cardClass} p-5`}>
      <h2 id={headingId} className="text-lg font-semibold text-slate-900">
        My notifications
      </h2>
      <p className="mt-1 text-sm text-slate-500">You are always told by email when someone else assigns you a ticket.</p>
      {me.data ? (
        <div className="mt-4 space-y-3">
          <div className="flex items-start gap-3">
            <input
              id={checkboxId}
              type="checkbox"
              // While the change is on its way, the box shows what was asked for.
              checked={update.isPending ? update.variables.new_tickets : me.data.notify_new_tickets}
              disabled={update.isPending}
              onChange={(event) => update.mutate({ new_tickets: event.target.checked })}
              aria-describedby={hintId}
              className="mt-0.5 h-4 w-4 shrink-0 accent-indigo-600"
            />
            <div>
              <label htmlFor={checkboxId} className="text-sm font-medium text-slate-800">
                Email me about every new ticket
              </label>
              <p id={hintId} className="text-xs text-slate-500">
                Each of these mails has a link to stop them.
              </p>
            </div>
          </div>
          {update.isError && <ErrorAlert title="Your notifications were not changed">{errorDetail(update.error)}</ErrorAlert>}
        </div>
      ) : me.isError ? (
        <div className="mt-4">
          <LoadError title="Your notifications could not be loaded" error={me.error} onRetry={me.refetch} />
        </div>
      ) : (
        <p aria-busy="true" className="mt-4 flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading…
        </p>
      )}
    </section>
  );
}
