import { useId, useState } from 'react';

import { ApiError, describeError } from '../api/errors';
import { useAgents } from '../api/queries/useAgents';
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
import { useCurrentUser } from '../auth/SessionProvider';
import { ErrorAlert } from './ui/Alert';
import { SelectField } from './ui/SelectField';
import { cardClass, secondaryButtonClass } from './ui/styles';

interface TicketControlsProps {
  ticket: Ticket;
  /** The version the server last sent; null while only a listed copy is shown (nothing to change yet). */
  etag: string | null;
}

/**
 * Staff work the ticket here: each change is saved at once with `If-Match`, so a change made on
 * top of someone else's is refused (412) and their version is loaded instead.
 */
export function TicketControls({ ticket, etag }: TicketControlsProps) {
  const ids = useId();
  const update = useUpdateTicket();
  const [saved, setSaved] = useState<string | null>(null);
  const pending: TicketPatch = update.isPending ? update.variables.patch : {};
  const shown = { ...ticket, ...pending };
  const conflict = update.error instanceof ApiError && update.error.isConflict;
  const assigneeErrors = update.error instanceof ApiError ? update.error.fieldMessages('assignee_id') : [];

  function change(patch: TicketPatch, what: string) {
    // One change at a time: the next one needs the version tag this one brings back.
    if (update.isPending) return;
    setSaved(null);
    update.mutate({ id: ticket.id, patch, etag }, { onSuccess: () => setSaved(`${what} saved.`) });
  }

  return (
    <section aria-labelledby={`${ids}-heading`} className={`${cardClass} p-4`}>
      <h3 id={`${ids}-heading`} className="text-sm font-semibold text-slate-900">
        Details
      </h3>
      {/* Not disabled while saving: that would take the focus from the control just used. */}
      <fieldset disabled={etag === null} className="mt-3 space-y-3" aria-busy={update.isPending}>
        <legend className="sr-only">Change the ticket</legend>
        <SelectField
          label="Status"
          labelStyle="small"
          value={shown.status}
          options={STATUSES}
          optionLabels={STATUS_LABELS}
          onChange={(status) => change({ status }, 'Status')}
        />
        <div className="grid grid-cols-2 gap-3">
          <SelectField
            label="Priority"
            labelStyle="small"
            value={shown.priority}
            options={PRIORITIES}
            optionLabels={PRIORITY_LABELS}
            onChange={(priority) => change({ priority }, 'Priority')}
          />
          <SelectField
            label="Category"
            labelStyle="small"
            value={shown.category}
            options={CATEGORIES}
            optionLabels={CATEGORY_LABELS}
            onChange={(category) => change({ category }, 'Category')}
          />
        </div>
        <AssigneeField
          assigneeId={shown.assignee_id}
          errors={assigneeErrors}
          onAssign={(assignee_id) => change({ assignee_id }, 'Assignee')}
        />
      </fieldset>

      <div className="mt-3 space-y-2">
        {update.isError &&
          (conflict ? (
            <ErrorAlert title="Changed by someone else — reloaded">
              This ticket was changed while you were looking at it. Its current values are shown; make your change again if it is still
              needed.
            </ErrorAlert>
          ) : (
            assigneeErrors.length === 0 && <ErrorAlert title="Not saved">{describeError(update.error)}</ErrorAlert>
          ))}
        <p aria-live="polite" className="text-xs text-emerald-700 empty:hidden">
          {update.isPending ? '' : saved}
        </p>
      </div>
    </section>
  );
}

interface AssigneeFieldProps {
  assigneeId: number | null;
  errors: string[];
  onAssign: (assigneeId: number | null) => void;
}

/** Who works the ticket: any agent or admin, with one click for oneself and for nobody. */
function AssigneeField({ assigneeId, errors, onAssign }: AssigneeFieldProps) {
  const me = useCurrentUser();
  const agents = useAgents();
  const options = (agents.data?.agents ?? []).map((agent) => String(agent.id));
  const labels: Record<string, string> = Object.fromEntries(
    (agents.data?.agents ?? []).map((agent) => [String(agent.id), agent.id === me.id ? `${agent.name} (me)` : agent.name]),
  );
  // Someone no longer on staff can still be the assignee until the ticket is given to another.
  if (assigneeId !== null && !labels[assigneeId]) {
    options.push(String(assigneeId));
    labels[assigneeId] = agents.isPending ? 'Loading…' : `Account #${assigneeId} (not on staff)`;
  }

  return (
    <div className="space-y-2">
      <SelectField
        label="Assignee"
        labelStyle="small"
        value={assigneeId === null ? '' : String(assigneeId)}
        options={options}
        optionLabels={labels}
        noneLabel="Unassigned"
        errors={errors}
        onChange={(value) => onAssign(value === '' ? null : Number(value))}
      />
      {agents.isError && <p className="text-xs text-rose-700">The list of agents could not be loaded.</p>}
      <div className="flex flex-wrap gap-2">
        {assigneeId !== me.id && (
          <button type="button" onClick={() => onAssign(me.id)} className={`${secondaryButtonClass} px-3 py-1 text-xs`}>
            Assign to me
          </button>
        )}
        {assigneeId !== null && (
          <button type="button" onClick={() => onAssign(null)} className={`${secondaryButtonClass} px-3 py-1 text-xs`}>
            Unassign
          </button>
        )}
      </div>
    </div>
  );
}
