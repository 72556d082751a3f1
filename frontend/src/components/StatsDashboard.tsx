import { useId } from 'react';

import { describeError } from '../api/errors';
import { useTicketStats } from '../api/queries/useTicketStats';
import { CATEGORIES, CATEGORY_LABELS, PRIORITIES, PRIORITY_LABELS } from '../api/types';
import { CATEGORY_COLORS, PRIORITY_COLORS } from './Badges';
import { ErrorAlert } from './ui/Alert';
import { Spinner } from './ui/Spinner';
import { cardClass, secondaryButtonClass } from './ui/styles';

const numberFormat = new Intl.NumberFormat();
const averageFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function StatsDashboard() {
  const ids = useId();
  const stats = useTicketStats();

  return (
    <section aria-labelledby={`${ids}-heading`}>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 id={`${ids}-heading`} className="text-lg font-semibold text-slate-900">
          Overview
        </h2>
        <span className="flex items-center gap-1.5 text-xs text-slate-500" aria-live="polite">
          {stats.isFetching && !stats.isPending && (
            <>
              <Spinner className="h-3.5 w-3.5" /> Refreshing…
            </>
          )}
        </span>
      </div>

      {stats.isPending ? (
        <div aria-busy="true" className="grid grid-cols-3 gap-3 sm:gap-4 lg:grid-cols-5">
          <span className="sr-only">Loading statistics…</span>
          {[0, 1, 2, 3, 4].map((cell) => (
            <div key={cell} className={`${cardClass} h-28 animate-pulse`} aria-hidden="true" />
          ))}
        </div>
      ) : stats.isError && !stats.data ? (
        <ErrorAlert
          title="Statistics could not be loaded"
          action={
            <button type="button" onClick={() => stats.refetch()} className={secondaryButtonClass}>
              Try again
            </button>
          }
        >
          {describeError(stats.error)}
        </ErrorAlert>
      ) : (
        <div className="grid grid-cols-6 gap-3 sm:gap-4 lg:grid-cols-12">
          <StatTile label="Total tickets" value={numberFormat.format(stats.data.total_tickets)} />
          <StatTile label="Open" value={numberFormat.format(stats.data.open_tickets)} accent />
          <StatTile label="Avg per day" value={averageFormat.format(stats.data.avg_tickets_per_day)} />
          <Breakdown
            title="By priority"
            rows={PRIORITIES.map((priority) => ({
              key: priority,
              label: PRIORITY_LABELS[priority],
              count: stats.data.priority_breakdown[priority] ?? 0,
              barClass: PRIORITY_COLORS[priority].bar,
            }))}
          />
          <Breakdown
            title="By category"
            rows={CATEGORIES.map((category) => ({
              key: category,
              label: CATEGORY_LABELS[category],
              count: stats.data.category_breakdown[category] ?? 0,
              barClass: CATEGORY_COLORS[category],
            }))}
          />
        </div>
      )}
    </section>
  );
}

function StatTile({ label, value, accent = false }: { label: string; value: string; accent?: boolean }) {
  return (
    <div className={`${cardClass} col-span-2 flex flex-col justify-between p-3 sm:p-4`}>
      <p className="text-xs font-medium text-slate-500 sm:text-sm">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums sm:text-3xl ${accent ? 'text-indigo-600' : 'text-slate-900'}`}>
        {value}
      </p>
    </div>
  );
}

interface BreakdownRow {
  key: string;
  label: string;
  count: number;
  barClass: string;
}

function Breakdown({ title, rows }: { title: string; rows: BreakdownRow[] }) {
  const headingId = useId();
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return (
    <figure aria-labelledby={headingId} className={`${cardClass} col-span-6 p-4 sm:col-span-3`}>
      <figcaption id={headingId} className="text-sm font-medium text-slate-500">
        {title}
      </figcaption>
      <ul className="mt-3 space-y-2">
        {rows.map((row) => {
          const share = total > 0 ? (row.count / total) * 100 : 0;
          return (
            <li key={row.key} className="text-sm">
              <div className="flex items-baseline justify-between gap-2">
                <span className="text-slate-700">{row.label}</span>
                <span className="tabular-nums font-medium text-slate-900">{numberFormat.format(row.count)}</span>
              </div>
              <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                <div className={`h-full rounded-full ${row.barClass}`} style={{ width: `${share}%` }} />
              </div>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
