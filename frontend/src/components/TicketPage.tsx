import { useRef, useState, type MouseEvent } from 'react';

import { ApiError } from '../api/errors';
import { useTicket } from '../api/queries/useTicket';
import { isStaff, type Ticket, type User } from '../api/types';
import { useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts';
import { backToList, listAddress } from '../routes';
import { CloseTicketModal } from './CloseTicketModal';
import { ConversationThread } from './ConversationThread';
import { DuplicateBanner } from './DuplicateBanner';
import { KeyboardShortcutsButton } from './KeyboardShortcuts';
import { LikelyDuplicates } from './LikelyDuplicates';
import { ReplyBox } from './ReplyBox';
import { SlaTargets } from './SlaTargets';
import { TicketControls } from './TicketControls';
import { TicketHeader } from './TicketHeader';
import { TicketHistory } from './TicketHistory';
import { TicketSummary } from './TicketSummary';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';
import { cardClass, secondaryButtonClass } from './ui/styles';

/**
 * `/tickets/:id`: one ticket worked through — its conversation and a reply box, and beside it
 * (for staff) its details, targets and history. `r` writes a reply, `Esc` goes back to the list.
 */
export function TicketPage({ ticketId, user }: { ticketId: number; user: User }) {
  const staff = isStaff(user);
  const detail = useTicket(ticketId);
  const replyRef = useRef<HTMLTextAreaElement>(null);

  useKeyboardShortcuts({
    r: (event) => {
      if (!replyRef.current) return;
      event.preventDefault();
      replyRef.current.focus();
    },
    Escape: () => backToList(),
  });

  return (
    <main className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div className="flex items-center justify-between gap-3">
        <BackToListLink />
        <KeyboardShortcutsButton />
      </div>
      {detail.data ? (
        <TicketWorkspace ticket={detail.data.ticket} etag={detail.data.etag} staff={staff} replyRef={replyRef} />
      ) : detail.isError ? (
        detail.error instanceof ApiError && detail.error.status === 404 ? (
          <div className={`${cardClass} px-6 py-12 text-center`}>
            <h2 className="font-medium text-slate-900">Ticket #{ticketId} was not found</h2>
            <p className="mt-1 text-sm text-slate-500">It may have been removed, or it is not one of yours.</p>
          </div>
        ) : (
          <LoadError title="The ticket could not be loaded" error={detail.error} onRetry={detail.refetch} />
        )
      ) : (
        <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading ticket…
        </p>
      )}
    </main>
  );
}

interface TicketWorkspaceProps {
  ticket: Ticket;
  etag: string | null;
  staff: boolean;
  replyRef: React.RefObject<HTMLTextAreaElement | null>;
}

function TicketWorkspace({ ticket, etag, staff, replyRef }: TicketWorkspaceProps) {
  const requesterMayReply = ticket.status !== 'closed';
  const [duplicateWhenOpened] = useState(ticket.duplicate_of !== null);
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,340px)]">
      <div className="min-w-0 space-y-5">
        {ticket.duplicate_of !== null && <DuplicateBanner into={ticket.duplicate_of} takeFocus={!duplicateWhenOpened} />}
        <TicketHeader ticket={ticket} staff={staff} />
        <ConversationThread ticket={ticket} />
        {staff || requesterMayReply ? (
          <ReplyBox ticketId={ticket.id} staff={staff} textareaRef={replyRef} />
        ) : (
          <p className={`${cardClass} px-4 py-3 text-sm text-slate-600`}>
            This ticket is closed. If you need more help, submit a new ticket.
          </p>
        )}
      </div>
      <aside aria-label="About this ticket" className="min-w-0 space-y-4 lg:sticky lg:top-6">
        {staff ? <TicketControls ticket={ticket} etag={etag} /> : <CloseTicketSection ticket={ticket} etag={etag} />}
        {staff && <TicketSummary ticketId={ticket.id} />}
        {staff && <SlaTargets ticket={ticket} />}
        {staff && ticket.duplicate_of === null && <LikelyDuplicates ticket={ticket} />}
        <TicketHistory ticketId={ticket.id} />
      </aside>
    </div>
  );
}

/** A requester's way to say they are done with their ticket. */
function CloseTicketSection({ ticket, etag }: { ticket: Ticket; etag: string | null }) {
  const [confirming, setConfirming] = useState(false);
  if (ticket.status === 'closed') return null;
  return (
    <section aria-label="Done with it?" className={`${cardClass} space-y-2 p-4 text-sm text-slate-600`}>
      <p>Solved, or no longer needed?</p>
      <button type="button" onClick={() => setConfirming(true)} disabled={etag === null} className={secondaryButtonClass}>
        Close ticket…
      </button>
      {confirming && <CloseTicketModal ticket={ticket} etag={etag} onClose={() => setConfirming(false)} />}
    </section>
  );
}

function BackToListLink() {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    backToList();
  }
  return (
    <a href={listAddress()} onClick={follow} className="inline-flex items-center gap-1 text-sm font-medium text-indigo-700 hover:underline">
      <span aria-hidden="true">←</span> Back to tickets
    </a>
  );
}
