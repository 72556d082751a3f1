import type { MouseEvent } from 'react';

import { useQueueCounts } from '../api/queries/useQueueCounts';
import { searchFromListView, type ListView } from '../hooks/useListView';
import { DEFAULT_QUEUE, QUEUES, type QueueName } from '../lib/queues';
import { TICKETS_PATH } from '../routes';

const numberFormat = new Intl.NumberFormat();

/** The queues whose tickets want attention soon: their counts stand out while not zero. */
const COUNT_ALERTS: Partial<Record<QueueName, string>> = {
  needs_triage: 'bg-amber-200 text-amber-950',
  breached: 'bg-rose-600 text-white',
};

interface QueueNavProps {
  view: ListView;
  onSelect: (queue: QueueName) => void;
}

/** The view in `queue`: its other filters kept, its status dropped (each queue has its own). */
export function viewInQueue({ queue: _queue, status: _status, ...rest }: ListView, queue: QueueName): ListView {
  return queue === DEFAULT_QUEUE ? rest : { ...rest, queue };
}

/** Staff's queues with how many tickets each one's list holds, refreshed as tickets change. */
export function QueueNav({ view, onSelect }: QueueNavProps) {
  const counts = useQueueCounts();
  const current = view.queue ?? DEFAULT_QUEUE;

  function follow(event: MouseEvent<HTMLAnchorElement>, queue: QueueName) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    // The list is fetched afresh for the queue chosen; its count (and the others') with it.
    void counts.refetch();
    onSelect(queue);
  }

  return (
    <nav aria-label="Queues" className="min-w-0">
      <h3 className="sr-only">Queues</h3>
      <ul className="flex gap-1 overflow-x-auto pb-1 md:flex-col md:overflow-visible md:pb-0">
        {QUEUES.map((queue) => {
          const count = counts.data?.[queue.name];
          return (
            <li key={queue.name} className="shrink-0">
              <a
                href={`${TICKETS_PATH}${searchFromListView(viewInQueue(view, queue.name))}`}
                onClick={(event) => follow(event, queue.name)}
                aria-current={queue.name === current ? 'page' : undefined}
                aria-label={count === undefined ? queue.label : `${queue.label}, ${count} ${count === 1 ? 'ticket' : 'tickets'}`}
                className="flex items-center justify-between gap-3 rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700"
              >
                <span>{queue.label}</span>
                <span
                  aria-hidden="true"
                  className={`min-w-[1.75rem] rounded-full px-1.5 text-center text-xs tabular-nums ${
                    count ? (COUNT_ALERTS[queue.name] ?? 'bg-slate-100 text-slate-600') : 'bg-slate-100 text-slate-600'
                  }`}
                >
                  {count === undefined ? '–' : numberFormat.format(count)}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {counts.isError && <p className="mt-1 px-3 text-xs text-rose-700">Counts could not be loaded.</p>}
    </nav>
  );
}
