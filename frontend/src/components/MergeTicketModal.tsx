import { useId, type FormEvent } from 'react';

import { errorDetail } from '../api/errors';
import { useMergeTicket } from '../api/queries/useMergeTicket';
import type { SimilarTicket, Ticket } from '../api/types';
import { ErrorAlert } from './ui/Alert';
import { Modal, ModalFooter } from './ui/Modal';
import { SubmitButton } from './ui/SubmitButton';
import { secondaryButtonClass } from './ui/styles';

interface MergeTicketModalProps {
  ticket: Ticket;
  into: SimilarTicket;
  onClose: () => void;
}

/** Closing a ticket as a duplicate of another, which both requesters are told of: asked to confirm. */
export function MergeTicketModal({ ticket, into, onClose }: MergeTicketModalProps) {
  const titleId = useId();
  const merge = useMergeTicket(ticket.id);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    merge.mutate(into.id, { onSuccess: onClose });
  }

  return (
    <Modal titleId={titleId} onClose={onClose}>
      <form onSubmit={handleSubmit} noValidate>
        <div className="space-y-3 px-5 py-4 text-sm text-slate-600">
          <h2 id={titleId} className="break-words text-lg font-semibold text-slate-900">
            Mark #{ticket.id} as a duplicate of #{into.id}?
          </h2>
          <p className="break-words">
            “{ticket.title}” will be closed as a duplicate of “{into.title}”. Both tickets get a public comment saying so, and
            the requester of #{ticket.id} can follow #{into.id} from then on.
          </p>
          {merge.isError && <ErrorAlert title="The tickets were not merged">{errorDetail(merge.error)}</ErrorAlert>}
        </div>
        <ModalFooter>
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            Cancel
          </button>
          <SubmitButton pending={merge.isPending} label="Mark as duplicate" pendingLabel="Merging…" />
        </ModalFooter>
      </form>
    </Modal>
  );
}
