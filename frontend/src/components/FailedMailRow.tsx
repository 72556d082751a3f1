import { useId } from 'react';

import { errorDetail } from '../api/errors';
import { useRetryOutboxMail } from '../api/queries/useMail';
import type { OutboxMail } from '../api/types';
import { templateLabel } from '../lib/mailText';
import { ticketPath } from '../routes';
import { RelativeTime } from './RelativeTime';
import { ErrorAlert } from './ui/Alert';
import { AppLink } from './ui/AppLink';
import { Spinner } from './ui/Spinner';
import { secondaryButtonClass } from './ui/styles';

interface FailedMailRowProps {
  mail: OutboxMail;
  /** The mail as the server answered the retry: queued again. */
  onRetried: (mail: OutboxMail) => void;
}

/** One mail the server gave up sending: to whom, about what, why it failed, and a way to try again. */
export function FailedMailRow({ mail, onRetried }: FailedMailRowProps) {
  const titleId = useId();
  const retry = useRetryOutboxMail({ onSuccess: onRetried });
  const template = templateLabel(mail.template);

  return (
    <article aria-labelledby={titleId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={titleId} className="break-words font-semibold text-slate-900">
            {template} <span className="font-normal text-slate-600">to {mail.to_address}</span>
          </h3>
          <p className="mt-1 flex flex-wrap items-center gap-x-2 text-sm text-slate-600">
            <AppLink to={ticketPath(mail.ticket_id)} className="font-medium text-indigo-700 hover:underline">
              Ticket #{mail.ticket_id}
            </AppLink>
            <span>{mail.attempts === 1 ? '1 attempt' : `${mail.attempts} attempts`}</span>
            <span className="text-slate-500">
              <RelativeTime iso={mail.created_at} prefix="Queued " />
            </span>
          </p>
        </div>
        <button
          type="button"
          onClick={() => retry.mutate(mail.id)}
          disabled={retry.isPending}
          aria-label={`Retry “${template}” to ${mail.to_address}`}
          className={`${secondaryButtonClass} px-3`}
        >
          {retry.isPending && <Spinner />}
          Retry
        </button>
      </div>
      <p className="mt-2 break-words text-sm text-rose-800">
        <span className="font-medium">Last error: </span>
        {mail.last_error ?? 'none recorded'}
      </p>
      {retry.isError && (
        <div className="mt-3">
          <ErrorAlert title="The mail was not queued again">{errorDetail(retry.error)}</ErrorAlert>
        </div>
      )}
    </article>
  );
}
