import {
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  ROLE_LABELS,
  STATUS_LABELS,
  type Category,
  type Priority,
  type Role,
  type Status,
} from '../api/types';

export const badgeBase = 'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap';

export const PRIORITY_COLORS: Record<Priority, { badge: string; bar: string }> = {
  low: { badge: 'bg-slate-50 text-slate-700 ring-slate-300', bar: 'bg-slate-400' },
  medium: { badge: 'bg-sky-50 text-sky-800 ring-sky-300', bar: 'bg-sky-500' },
  high: { badge: 'bg-amber-50 text-amber-800 ring-amber-300', bar: 'bg-amber-500' },
  critical: { badge: 'bg-rose-50 text-rose-800 ring-rose-300', bar: 'bg-rose-600' },
};

export const STATUS_COLORS: Record<Status, { badge: string; dot: string }> = {
  open: { badge: 'bg-indigo-50 text-indigo-800 ring-indigo-300', dot: 'bg-indigo-500' },
  in_progress: { badge: 'bg-amber-50 text-amber-800 ring-amber-300', dot: 'bg-amber-500' },
  resolved: { badge: 'bg-emerald-50 text-emerald-800 ring-emerald-300', dot: 'bg-emerald-500' },
  closed: { badge: 'bg-slate-100 text-slate-600 ring-slate-300', dot: 'bg-slate-400' },
};

export const CATEGORY_COLORS: Record<Category, string> = {
  billing: 'bg-violet-500',
  technical: 'bg-cyan-500',
  account: 'bg-teal-500',
  general: 'bg-slate-400',
};

export function CategoryBadge({ category }: { category: Category }) {
  return (
    <span className={`${badgeBase} bg-white text-slate-700 ring-slate-300`}>
      <span className="sr-only">Category: </span>
      <span className={`h-1.5 w-1.5 rounded-sm ${CATEGORY_COLORS[category]}`} aria-hidden="true" />
      {CATEGORY_LABELS[category]}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span className={`${badgeBase} ${PRIORITY_COLORS[priority].badge}`}>
      <span className="sr-only">Priority: </span>
      {PRIORITY_LABELS[priority]}
    </span>
  );
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`${badgeBase} ${STATUS_COLORS[status].badge}`}>
      <span className="sr-only">Status: </span>
      <span className={`h-1.5 w-1.5 rounded-full ${STATUS_COLORS[status].dot}`} aria-hidden="true" />
      {STATUS_LABELS[status]}
    </span>
  );
}

const ROLE_COLORS: Record<Role, string> = {
  requester: 'bg-slate-50 text-slate-700 ring-slate-300',
  agent: 'bg-sky-50 text-sky-800 ring-sky-300',
  admin: 'bg-violet-50 text-violet-800 ring-violet-300',
};

export function RoleBadge({ role }: { role: Role }) {
  return (
    <span className={`${badgeBase} ${ROLE_COLORS[role]}`}>
      <span className="sr-only">Role: </span>
      {ROLE_LABELS[role]}
    </span>
  );
}
