import { useId } from 'react';

import { errorDetail } from '../api/errors';
import { useAcceptInboundMail, useDiscardInboundMail } from '../api/queries/useMail';
import type { InboundMail } from '../api/types';
import { reasonText, subjectOf } from '../lib/mailText';
import { RelativeTime } from './RelativeTime';
import { ErrorAlert } from './ui/Alert';
import { Spinner } from './ui/Spinner';
import { primaryButtonClass, secondaryButtonClass } from './ui/styles';

interface HeldMessageProps {
  mail: InboundMail;
  /** The mail as the server answered the decision: `released` with its ticket, `discarded`, or (accepted, yet it made nothing) `ignored` with the reason. */
  onDecided: (mail: InboundMail) => void;
}

/** One held mail: who sent it, why it was held, its text, and the choice between accepting and discarding it. */
export function HeldMessage({ mail, onDecided }: HeldMessageProps) {
  const subjectId = useId();
  const accept = useAcceptInboundMail({ onSuccess: onDecided });
  const discard = useDiscardInboundMail({ onSuccess: onDecided });
  const subject = subjectOf(mail);
  const deciding = accept.isPending || discard.isPending;
  const failed = accept.isError
    ? { verb: 'accepted', error: accept.error }
    : discard.isError
      ? { verb: 'discarded', error: discard.error }
      : null;

  return (
    <article aria-labelledby={subjectId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h3 id={subjectId} className="break-words font-semibold text-slate-900">
        {subject}
      </h3>
      <p className="mt-1 flex flex-wrap gap-x-2 text-sm text-slate-600">
        <span className="break-all">
          From {mail.from_name ? `${mail.from_name} <${mail.from_address}>` : mail.from_address}
        </span>
        <span className="text-slate-500">
          <RelativeTime iso={mail.received_at} prefix="Received " />
        </span>
      </p>
      <p className="mt-2 text-sm font-medium text-amber-900">{reasonText(mail.reason)}</p>
      {mail.body ? (
        // Shown as plain text, links and all: whoever sent it could not be verified.
        <pre
          tabIndex={0}
          aria-label={`Text of “${subject}”`}
          className="mt-3 max-h-72 overflow-auto whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-slate-50 p-3 font-sans text-sm text-slate-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
        >
          {mail.body}
        </pre>
      ) : (
        <p className="mt-3 text-sm italic text-slate-500">This mail has no text.</p>
      )}
      {failed && (
        <div className="mt-3">
          <ErrorAlert title={`“${subject}” was not ${failed.verb}`}>{errorDetail(failed.error)}</ErrorAlert>
        </div>
      )}
      <div className="mt-3 flex flex-wrap justify-end gap-2">
        <button
          type="button"
          onClick={() => {
            accept.reset();
            discard.mutate(mail.id);
          }}
          disabled={deciding}
          aria-label={`Discard “${subject}”`}
          className={`${secondaryButtonClass} px-3`}
        >
          {discard.isPending && <Spinner />}
          Discard
        </button>
        <button
          type="button"
          onClick={() => {
            discard.reset();
            accept.mutate(mail.id);
          }}
          disabled={deciding}
          aria-label={`Accept “${subject}”`}
          className={`${primaryButtonClass} px-3`}
        >
          {accept.isPending && <Spinner />}
          Accept
        </button>
      </div>
    </article>
  );
}
