import { useId, useState } from 'react';

import { useOutbox } from '../api/queries/useMail';
import type { OutboxMail } from '../api/types';
import { templateLabel } from '../lib/mailText';
import { FailedMailRow } from './FailedMailRow';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';

/** Admins: notifications the server could not send, newest first, to try again once the cause is fixed. */
export function FailedMailSection() {
  const headingId = useId();
  const failed = useOutbox('failed');
  // A retried mail leaves the list, so that it was queued again is said above the list instead.
  const [retried, setRetried] = useState<OutboxMail | null>(null);

  return (
    <section aria-labelledby={headingId} className="min-w-0 space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          Failed mail
        </h2>
        <p className="mt-1 text-sm text-slate-500">Mail the server stopped trying to send. Retry it once the cause is fixed.</p>
      </div>
      <div aria-live="polite" className="empty:hidden">
        {retried && (
          <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            “{templateLabel(retried.template)}” to {retried.to_address} is queued again.
          </p>
        )}
      </div>
      {failed.isPending ? (
        <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading failed mail…
        </p>
      ) : failed.isError ? (
        <LoadError title="Failed mail could not be loaded" error={failed.error} onRetry={failed.refetch} />
      ) : failed.data.length === 0 ? (
        <p className="text-sm text-slate-500">No mail has failed.</p>
      ) : (
        <ul className="space-y-3" aria-label="Failed mail">
          {failed.data.map((mail) => (
            <li key={mail.id}>
              <FailedMailRow mail={mail} onRetried={setRetried} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
