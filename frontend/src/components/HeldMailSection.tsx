import { useId, useState } from 'react';

import { useInboundMail } from '../api/queries/useMail';
import type { InboundMail } from '../api/types';
import { reasonText, subjectOf } from '../lib/mailText';
import { ticketPath } from '../routes';
import { HeldMessage } from './HeldMessage';
import { AppLink } from './ui/AppLink';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';

/** Staff: received mail whose sender could not be trusted, waiting for someone to accept or discard it. */
export function HeldMailSection() {
  const headingId = useId();
  const held = useInboundMail('held');
  // A decided mail leaves the list, so what became of it is said above the list instead.
  const [decided, setDecided] = useState<InboundMail | null>(null);

  return (
    <section aria-labelledby={headingId} className="min-w-0 space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          Held mail
        </h2>
        <p className="mt-1 text-sm text-slate-500">
          Accepting a mail makes the ticket or reply it would have been; discarding it keeps it out.
        </p>
      </div>
      <div aria-live="polite" className="empty:hidden">
        {decided && <DecisionNotice mail={decided} />}
      </div>
      {held.isPending ? (
        <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading held mail…
        </p>
      ) : held.isError ? (
        <LoadError title="Held mail could not be loaded" error={held.error} onRetry={held.refetch} />
      ) : held.data.length === 0 ? (
        <p className="text-sm text-slate-500">No mail is waiting.</p>
      ) : (
        <ul className="space-y-3" aria-label="Held mail">
          {held.data.map((mail) => (
            <li key={mail.id}>
              <HeldMessage mail={mail} onDecided={setDecided} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DecisionNotice({ mail }: { mail: InboundMail }) {
  const subject = subjectOf(mail);
  return (
    <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
      {mail.status === 'discarded' ? (
        `“${subject}” was discarded.`
      ) : mail.status !== 'released' ? (
        // Accepted, yet nothing could come of it (a reply from someone not the requester, a
        // mail taken already): the server says why.
        `“${subject}” was accepted but made nothing: ${reasonText(mail.reason)}.`
      ) : (
        <>
          “{subject}” was accepted.
          {mail.ticket_id !== null && (
            <>
              {' '}
              <AppLink to={ticketPath(mail.ticket_id)} className="font-semibold underline hover:text-emerald-900">
                Open ticket #{mail.ticket_id}
              </AppLink>
            </>
          )}
        </>
      )}
    </p>
  );
}
