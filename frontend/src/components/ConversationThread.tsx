import { useComments } from '../api/queries/useComments';
import type { Ticket } from '../api/types';
import { CommentItem } from './CommentItem';
import { LinkifiedText } from './LinkifiedText';
import { RelativeTime } from './RelativeTime';
import { LoadError } from './ui/LoadError';
import { LoadMore } from './ui/LoadMore';
import { Spinner } from './ui/Spinner';

/** The ticket's first message (its description), then every reply and note, oldest first. */
export function ConversationThread({ ticket }: { ticket: Ticket }) {
  const comments = useComments(ticket.id);
  const requester = ticket.requester_name || ticket.requester_email || 'The requester';

  return (
    <section aria-labelledby="conversation-heading" className="space-y-3">
      <h3 id="conversation-heading" className="text-base font-semibold text-slate-900">
        Conversation
      </h3>
      <ol className="space-y-3" aria-label="Conversation">
        <li>
          <article aria-label={`Request from ${requester}`} className="rounded-xl border border-slate-200 bg-white p-4">
            <header className="flex flex-wrap items-center gap-x-2 text-sm">
              <span className="font-semibold text-slate-900">{requester}</span>
              <span className="text-slate-500">opened the ticket</span>
              <span className="ml-auto text-xs text-slate-500">
                <RelativeTime iso={ticket.created_at} />
              </span>
            </header>
            <p className="mt-2 whitespace-pre-wrap break-words text-sm text-slate-800">
              <LinkifiedText text={ticket.description} />
            </p>
          </article>
        </li>
        {comments.data?.map((comment) => (
          <li key={comment.id}>
            <CommentItem comment={comment} />
          </li>
        ))}
      </ol>
      {comments.isPending && (
        <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading replies…
        </p>
      )}
      {comments.isError && !comments.data && (
        <LoadError title="Replies could not be loaded" error={comments.error} onRetry={comments.refetch} />
      )}
      <LoadMore query={comments} what="replies" />
    </section>
  );
}
