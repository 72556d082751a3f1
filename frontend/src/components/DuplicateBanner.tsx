import { useEffect, useRef } from 'react';

import { ticketPath } from '../routes';
import { AppLink } from './ui/AppLink';

interface DuplicateBannerProps {
  into: number;
  /** Just merged on this page: the focus comes here, as the control that merged is gone. */
  takeFocus?: boolean;
}

/** On a ticket closed as a duplicate, for everyone who sees it: where the conversation goes on. */
export function DuplicateBanner({ into, takeFocus = false }: DuplicateBannerProps) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (takeFocus) ref.current?.focus();
  }, [takeFocus]);

  return (
    <p
      ref={ref}
      role="note"
      tabIndex={-1}
      className="rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      <span className="font-semibold">
        Duplicate of{' '}
        <AppLink to={ticketPath(into)} className="text-indigo-700 underline hover:text-indigo-900">
          #{into}
        </AppLink>
      </span>{' '}
      — this ticket was closed; follow #{into} for updates.
    </p>
  );
}
