import { useState } from 'react';

import { ApiError, errorDetail } from '../api/errors';
import { useUnsubscribe } from '../api/queries/useMail';
import { Brand } from './Brand';
import { ErrorAlert } from './ui/Alert';
import { SubmitButton } from './ui/SubmitButton';
import { cardClass } from './ui/styles';

/**
 * Where the link in a new-ticket mail leads, signed in or not. Nothing is sent until the button
 * is pressed: mail scanners open links on their own.
 */
export function UnsubscribePage() {
  // The token is in the fragment, which browsers never send, so it stays out of server logs.
  const [token] = useState(() => window.location.hash.slice(1));
  const unsubscribe = useUnsubscribe();
  const notFound = unsubscribe.error instanceof ApiError && unsubscribe.error.status === 404;

  return (
    <div className="flex min-h-screen flex-col items-center px-4 py-10 sm:py-16">
      <div className="w-full max-w-sm space-y-6">
        <Brand />
        <main className={`${cardClass} space-y-4 p-5 sm:p-6`}>
          <h2 className="text-lg font-semibold text-slate-900">New-ticket emails</h2>
          {!token ? (
            <ErrorAlert title="This unsubscribe link is not complete.">
              Open the link from the email again, or copy all of it into the address bar.
            </ErrorAlert>
          ) : unsubscribe.isSuccess ? (
            <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              You will no longer get new-ticket emails.
            </p>
          ) : notFound ? (
            <ErrorAlert title="This unsubscribe link is not valid any more.">
              To stop these emails, sign in and turn them off on the Email page.
            </ErrorAlert>
          ) : (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                unsubscribe.mutate(token);
              }}
              aria-label="Unsubscribe"
              className="space-y-4"
            >
              <p className="text-sm text-slate-600">Stop the email this helpdesk sends you about every new ticket.</p>
              {unsubscribe.isError && <ErrorAlert title="You are still subscribed">{errorDetail(unsubscribe.error)}</ErrorAlert>}
              <SubmitButton pending={unsubscribe.isPending} label="Unsubscribe" pendingLabel="Unsubscribing…" className="w-full" />
            </form>
          )}
        </main>
      </div>
    </div>
  );
}
