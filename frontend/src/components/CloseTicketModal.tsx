import { useId, type FormEvent } from 'react';

import { ApiError, errorDetail } from '../api/errors';
import { useUpdateTicket } from '../api/queries/useUpdateTicket';
import type { Ticket } from '../api/types';
import { ErrorAlert } from './ui/Alert';
import { Modal, ModalFooter } from './ui/Modal';
import { SubmitButton } from './ui/SubmitButton';
import { secondaryButtonClass } from './ui/styles';

interface CloseTicketModalProps {
  ticket: Ticket;
  etag: string | null;
  onClose: () => void;
}

/** A requester's own ticket: all they may change is to close it, which this asks them to confirm. */
export function CloseTicketModal({ ticket, etag, onClose }: CloseTicketModalProps) {
  const titleId = useId();
  const update = useUpdateTicket();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ id: ticket.id, patch: { status: 'closed' }, etag }, { onSuccess: onClose });
  }

  const conflict = update.error instanceof ApiError && update.error.isConflict;

  return (
    <Modal titleId={titleId} onClose={onClose}>
      <form onSubmit={handleSubmit} noValidate>
        <div className="space-y-3 px-5 py-4 text-sm text-slate-600">
          <h2 id={titleId} className="break-words text-lg font-semibold text-slate-900">
            Close “{ticket.title}”?
          </h2>
          <p>Solved, or no longer needed? Closing the ticket tells the support team they can stop working on it.</p>
          {update.isError && (
            <ErrorAlert title="The ticket was not closed">
              {conflict ? 'It was changed meanwhile; its latest version is shown on the page. Try again.' : errorDetail(update.error)}
            </ErrorAlert>
          )}
        </div>
        <ModalFooter>
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            Cancel
          </button>
          <SubmitButton pending={update.isPending} label="Close ticket" pendingLabel="Closing…" />
        </ModalFooter>
      </form>
    </Modal>
  );
}
