import { useId } from 'react';

import { useTicketStats } from '../api/queries/useTicketStats';
import { CATEGORIES, CATEGORY_LABELS, PRIORITIES, PRIORITY_LABELS, type TicketStats } from '../api/types';
import { formatMinutes } from '../lib/sla';
import { CATEGORY_COLORS, PRIORITY_COLORS } from './Badges';
import { LoadError } from './ui/LoadError';
import { Spinner } from './ui/Spinner';
import { cardClass } from './ui/styles';

const numberFormat = new Intl.NumberFormat();
const averageFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

export function StatsDashboard() {
  const ids = useId();
  const stats = useTicketStats();

  return (
    <section aria-labelledby={`${ids}-heading`}>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 id={`${ids}-heading`} className="text-lg font-semibold text-slate-900">
          Overview
        </h2>
        {/* Not a live region: a refresh every 30 s is no news to a screen-reader user. */}
        <span className="flex items-center gap-1.5 text-xs text-slate-500">
          {stats.isFetching && !stats.isPending && (
            <>
              <Spinner className="h-3.5 w-3.5" /> Refreshing…
            </>
          )}
        </span>
      </div>

      {stats.isPending ? (
        <div aria-busy="true" className="grid gap-3 sm:grid-cols-3 sm:gap-4">
          <span className="sr-only">Loading statistics…</span>
          {[0, 1, 2].map((cell) => (
            <div key={cell} className={`${cardClass} h-52 animate-pulse`} aria-hidden="true" />
          ))}
        </div>
      ) : stats.isError && !stats.data ? (
        <LoadError title="Statistics could not be loaded" error={stats.error} onRetry={stats.refetch} />
      ) : (
        <div className="grid gap-3 sm:grid-cols-2 sm:gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.25fr)_minmax(0,1.25fr)]">
          <div className="grid grid-cols-3 gap-3 sm:col-span-2 sm:gap-4 lg:col-span-1 lg:grid-cols-1 lg:gap-3">
            <StatTile label="Total tickets" value={numberFormat.format(stats.data.total_tickets)} hint="All time" />
            <StatTile
              label="Open"
              value={numberFormat.format(stats.data.open_tickets)}
              hint={`${percentFormat.format(stats.data.total_tickets ? stats.data.open_tickets / stats.data.total_tickets : 0)} of all`}
              tone="accent"
            />
            <StatTile
              label="Avg per day"
              value={averageFormat.format(stats.data.avg_tickets_per_day)}
              hint="On days with tickets"
            />
          </div>
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
          <Workload stats={stats.data} />
        </div>
      )}
    </section>
  );
}

const BUSIEST_SHOWN = 4;

const sumTickets = (loads: TicketStats['open_by_assignee']) => loads.reduce((sum, load) => sum + load.tickets, 0);

/** Who holds the work, what nobody holds, what is late, and how fast the team answers and resolves. */
function Workload({ stats }: { stats: TicketStats }) {
  const median = (minutes: number | null) => (minutes === null ? '—' : formatMinutes(minutes));
  // The server sends the busiest first; the card keeps the height of the breakdowns above it.
  const busiest = stats.open_by_assignee.slice(0, BUSIEST_SHOWN);
  const others = stats.open_by_assignee.slice(BUSIEST_SHOWN);
  return (
    <>
      <div className="grid grid-cols-3 gap-3 sm:gap-4 lg:grid-cols-1 lg:gap-3">
        <StatTile label="Unassigned" value={numberFormat.format(stats.unassigned_open)} hint="Open or in progress" />
        <StatTile
          label="Needs triage"
          value={numberFormat.format(stats.needs_triage)}
          hint="Labels to check"
          tone={stats.needs_triage > 0 ? 'warn' : 'plain'}
        />
        <StatTile
          label="SLA breached"
          value={numberFormat.format(stats.sla_breached)}
          hint="Past a running target"
          tone={stats.sla_breached > 0 ? 'alert' : 'plain'}
        />
      </div>
      <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-1 lg:gap-3">
        <StatTile label="Median first response" value={median(stats.median_first_response_minutes)} hint="Last 30 days" />
        <StatTile label="Median resolution" value={median(stats.median_resolution_minutes)} hint="Last 30 days" />
      </div>
      <Breakdown
        title="Open by assignee"
        empty="Nobody holds an open ticket."
        rows={busiest.map((load) => ({
          key: String(load.assignee_id),
          label: load.assignee_name,
          count: load.tickets,
          barClass: 'bg-indigo-500',
        }))}
        total={sumTickets(stats.open_by_assignee)}
        footnote={
          others.length > 0
            ? `And ${numberFormat.format(others.length)} ${others.length === 1 ? 'other' : 'others'}: ${numberFormat.format(sumTickets(others))}`
            : undefined
        }
      />
    </>
  );
}

const TILE_VALUE_COLORS = { plain: 'text-slate-900', accent: 'text-indigo-600', warn: 'text-amber-700', alert: 'text-rose-600' };

function StatTile({
  label,
  value,
  hint,
  tone = 'plain',
}: {
  label: string;
  value: string;
  hint: string;
  tone?: keyof typeof TILE_VALUE_COLORS;
}) {
  return (
    <div role="group" aria-label={label} className={`${cardClass} p-3 sm:p-4 lg:flex lg:items-center lg:justify-between lg:gap-3 lg:py-3`}>
      <div className="min-w-0">
        <p className="text-xs font-medium text-slate-500 sm:text-sm">{label}</p>
        <p className="hidden text-xs text-slate-400 sm:block">{hint}</p>
      </div>
      <p className={`mt-1 text-2xl font-semibold tabular-nums lg:mt-0 ${TILE_VALUE_COLORS[tone]}`}>
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

interface BreakdownProps {
  title: string;
  rows: BreakdownRow[];
  /** What the bars are a share of, when the rows are not all of it. */
  total?: number;
  empty?: string;
  /** Under the rows: what they leave out. */
  footnote?: string;
}

function Breakdown({ title, rows, total = rows.reduce((sum, row) => sum + row.count, 0), empty, footnote }: BreakdownProps) {
  const headingId = useId();
  return (
    <figure aria-labelledby={headingId} className={`${cardClass} p-4`}>
      <figcaption id={headingId} className="text-sm font-medium text-slate-500">
        {title}
      </figcaption>
      {rows.length === 0 && empty && <p className="mt-3 text-sm text-slate-500">{empty}</p>}
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
      {footnote && <p className="mt-2 text-xs text-slate-500">{footnote}</p>}
    </figure>
  );
}
