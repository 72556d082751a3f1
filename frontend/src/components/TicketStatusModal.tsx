import { useId, useState, type FormEvent } from 'react';

import { ApiError, describeError } from '../api/errors';
import { useTicket } from '../api/queries/useTicket';
import { useUpdateTicket } from '../api/queries/useUpdateTicket';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  PRIORITIES,
  PRIORITY_LABELS,
  STATUSES,
  STATUS_LABELS,
  type Ticket,
  type TicketPatch,
} from '../api/types';
import { TicketDetails, type TicketModalProps } from './TicketDetails';
import { ErrorAlert } from './ui/Alert';
import { Modal, ModalFooter } from './ui/Modal';
import { SelectField } from './ui/SelectField';
import { SubmitButton } from './ui/SubmitButton';
import { secondaryButtonClass } from './ui/styles';

type Draft = Pick<Ticket, 'status' | 'category' | 'priority'>;

function changes(draft: Draft, saved: Ticket): TicketPatch {
  const patch: TicketPatch = {};
  if (draft.status !== saved.status) patch.status = draft.status;
  if (draft.category !== saved.category) patch.category = draft.category;
  if (draft.priority !== saved.priority) patch.priority = draft.priority;
  return patch;
}

export function TicketStatusModal({ ticket: fromList, onClose }: TicketModalProps) {
  const titleId = useId();
  const detail = useTicket(fromList);
  const update = useUpdateTicket();

  const saved = detail.data?.ticket ?? fromList;
  // Until the user edits, the form follows the server's latest copy of the ticket.
  const [edited, setEdited] = useState<Draft | null>(null);
  const draft: Draft = edited ?? { status: saved.status, category: saved.category, priority: saved.priority };
  const patch = changes(draft, saved);
  const dirty = Object.keys(patch).length > 0;

  function edit(change: Partial<Draft>) {
    update.reset();
    setEdited({ ...draft, ...change });
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!dirty) {
      onClose();
      return;
    }
    update.mutate(
      { id: saved.id, patch, etag: detail.data?.etag },
      {
        onSuccess: onClose,
        onError: (error) => {
          if (error instanceof ApiError && error.isConflict) setEdited(null);
        },
      },
    );
  }

  const conflict = update.error instanceof ApiError && update.error.isConflict;

  return (
    <Modal titleId={titleId} onClose={onClose}>
      <form onSubmit={handleSubmit} noValidate>
        <TicketDetails ticket={saved} titleId={titleId} showRequester />

        <div className="space-y-4 px-5 py-4">
          <SelectField
            label="Status"
            value={draft.status}
            options={STATUSES}
            optionLabels={STATUS_LABELS}
            autoFocus
            onChange={(status) => edit({ status })}
          />
          <div className="grid grid-cols-2 gap-3">
            <SelectField
              label="Category"
              value={draft.category}
              options={CATEGORIES}
              optionLabels={CATEGORY_LABELS}
              onChange={(category) => edit({ category })}
            />
            <SelectField
              label="Priority"
              value={draft.priority}
              options={PRIORITIES}
              optionLabels={PRIORITY_LABELS}
              onChange={(priority) => edit({ priority })}
            />
          </div>

          {update.isError &&
            (conflict ? (
              <ErrorAlert title="Someone else changed this ticket">
                Their changes have been loaded above. Review them and save again if needed.
              </ErrorAlert>
            ) : (
              <ErrorAlert title="Changes not saved">{describeError(update.error)}</ErrorAlert>
            ))}
          {detail.isError && !update.isError && (
            <ErrorAlert title="Could not load the latest version">{describeError(detail.error)}</ErrorAlert>
          )}
        </div>

        <ModalFooter>
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            Cancel
          </button>
          <SubmitButton pending={update.isPending} disabled={!dirty} label="Save changes" pendingLabel="Saving…" />
        </ModalFooter>
      </form>
    </Modal>
  );
}
