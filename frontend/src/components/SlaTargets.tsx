import type { Ticket } from '../api/types';
import { RelativeTime } from './RelativeTime';
import { cardClass } from './ui/styles';

interface Target {
  label: string;
  dueAt: string | null;
  metAt: string | null;
  metWord: string;
}

/** Staff: both service-level targets of the ticket, each due, met or not set. */
export function SlaTargets({ ticket }: { ticket: Ticket }) {
  const targets: Target[] = [
    { label: 'First response', dueAt: ticket.first_response_due_at, metAt: ticket.first_responded_at, metWord: 'Responded' },
    { label: 'Resolution', dueAt: ticket.resolution_due_at, metAt: ticket.resolved_at, metWord: 'Resolved' },
  ];
  if (targets.every((target) => !target.dueAt && !target.metAt)) return null;
  return (
    <section aria-label="Service level" className={`${cardClass} p-4`}>
      <h3 className="text-sm font-semibold text-slate-900">Service level</h3>
      <dl className="mt-2 space-y-1.5 text-sm">
        {targets.map((target) => (
          <div key={target.label} className="flex flex-wrap justify-between gap-x-3">
            <dt className="text-slate-500">{target.label}</dt>
            <dd className="text-slate-800">
              {target.metAt ? (
                <RelativeTime iso={target.metAt} prefix={`${target.metWord} `} />
              ) : target.dueAt ? (
                <RelativeTime iso={target.dueAt} prefix="Due " />
              ) : (
                '—'
              )}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
