import { useId, type FormEvent } from 'react';

import { ApiError, errorDetail } from '../api/errors';
import { useTicket } from '../api/queries/useTicket';
import { useUpdateTicket } from '../api/queries/useUpdateTicket';
import { TicketDetails, type TicketModalProps } from './TicketDetails';
import { ErrorAlert } from './ui/Alert';
import { Modal, ModalFooter } from './ui/Modal';
import { SubmitButton } from './ui/SubmitButton';
import { secondaryButtonClass } from './ui/styles';

/** A requester's own ticket: all they may change is to close it. */
export function CloseTicketModal({ ticket: fromList, onClose }: TicketModalProps) {
  const titleId = useId();
  const detail = useTicket(fromList);
  const update = useUpdateTicket();
  const saved = detail.data?.ticket ?? fromList;
  const closable = saved.status !== 'closed';

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ id: saved.id, patch: { status: 'closed' }, etag: detail.data?.etag }, { onSuccess: onClose });
  }

  const conflict = update.error instanceof ApiError && update.error.isConflict;

  return (
    <Modal titleId={titleId} onClose={onClose}>
      <form onSubmit={handleSubmit} noValidate>
        <TicketDetails ticket={saved} titleId={titleId} />
        <div className="space-y-3 px-5 py-4 text-sm text-slate-600">
          <p>
            {closable
              ? 'Solved, or no longer needed? Closing the ticket tells the support team they can stop working on it.'
              : 'This ticket is closed.'}
          </p>
          {update.isError && (
            <ErrorAlert title="The ticket was not closed">
              {conflict ? 'It was changed meanwhile; its latest version is shown above. Try again.' : errorDetail(update.error)}
            </ErrorAlert>
          )}
        </div>
        <ModalFooter>
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            {closable ? 'Cancel' : 'Done'}
          </button>
          {closable && <SubmitButton pending={update.isPending} label="Close ticket" pendingLabel="Closing…" />}
        </ModalFooter>
      </form>
    </Modal>
  );
}
