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
import { CategoryBadge, PriorityBadge, StatusBadge } from './Badges';
import { RelativeTime } from './RelativeTime';
import { ErrorAlert } from './ui/Alert';
import { Modal } from './ui/Modal';
import { SelectField } from './ui/SelectField';
import { Spinner } from './ui/Spinner';
import { primaryButtonClass, secondaryButtonClass } from './ui/styles';

type Draft = Pick<Ticket, 'status' | 'category' | 'priority'>;

function changes(draft: Draft, saved: Ticket): TicketPatch {
  const patch: TicketPatch = {};
  if (draft.status !== saved.status) patch.status = draft.status;
  if (draft.category !== saved.category) patch.category = draft.category;
  if (draft.priority !== saved.priority) patch.priority = draft.priority;
  return patch;
}

interface TicketStatusModalProps {
  ticket: Ticket;
  onClose: () => void;
}

export function TicketStatusModal({ ticket: fromList, onClose }: TicketStatusModalProps) {
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
        <div className="border-b border-slate-200 px-5 pb-4 pt-5">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Ticket #{saved.id}</p>
          <h2 id={titleId} className="mt-1 break-words text-lg font-semibold text-slate-900">
            {saved.title}
          </h2>
          <div className="mt-2 flex flex-wrap items-center gap-1.5">
            <StatusBadge status={saved.status} />
            <PriorityBadge priority={saved.priority} />
            <CategoryBadge category={saved.category} />
            <span className="text-xs text-slate-500">
              <RelativeTime iso={saved.created_at} prefix="Opened " />
            </span>
          </div>
          <p className="mt-3 max-h-40 overflow-y-auto whitespace-pre-wrap break-words text-sm text-slate-700">
            {saved.description}
          </p>
        </div>

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

        <div className="flex flex-col-reverse gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3 sm:flex-row sm:justify-end sm:rounded-b-2xl">
          <button type="button" onClick={onClose} className={secondaryButtonClass}>
            Cancel
          </button>
          <button type="submit" disabled={!dirty || update.isPending} className={primaryButtonClass}>
            {update.isPending && <Spinner />}
            {update.isPending ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
