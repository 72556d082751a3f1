import { ticketPath } from '../routes';
import { AppLink } from './ui/AppLink';

/** On a ticket closed as a duplicate, for everyone who sees it: where the conversation goes on. */
export function DuplicateBanner({ into }: { into: number }) {
  return (
    <p role="note" className="rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
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
