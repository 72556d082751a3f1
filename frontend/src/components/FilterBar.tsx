import { useEffect, useState } from 'react';

import {
  CATEGORIES,
  CATEGORY_LABELS,
  PRIORITIES,
  PRIORITY_LABELS,
  STATUSES,
  STATUS_LABELS,
} from '../api/types';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import type { ListFilters } from '../hooks/useListView';
import { Field } from './ui/Field';
import { SelectField } from './ui/SelectField';
import { ghostButtonClass, inputClass } from './ui/styles';

export const SEARCH_DEBOUNCE_MS = 300;

/** The server's rule: a search needs three letters or digits in a row, what its index reads. */
export function searchable(text: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(text);
}

export type NarrowingFilter = 'category' | 'priority' | 'status';

/** Each select's label and values; `FilterSelect` checks a choice against its options. */
const NARROWING: Record<NarrowingFilter, { label: string; options: readonly string[]; optionLabels: Record<string, string> }> = {
  category: { label: 'Category', options: CATEGORIES, optionLabels: CATEGORY_LABELS },
  priority: { label: 'Priority', options: PRIORITIES, optionLabels: PRIORITY_LABELS },
  status: { label: 'Status', options: STATUSES, optionLabels: STATUS_LABELS },
};

const GRID_COLUMNS = ['', 'grid-cols-1', 'grid-cols-2', 'grid-cols-3'];

interface FilterBarProps {
  filters: ListFilters;
  /** `push`: a choice worth a history entry (a select, clearing); a settled search replaces it. */
  onChange: (filters: ListFilters, options?: { push?: boolean }) => void;
  /** The selects offered besides the search box; all three by default. */
  narrowBy?: readonly NarrowingFilter[];
  /** What the status select's empty choice means (a queue may already narrow the statuses). */
  anyStatusLabel?: string;
}

export function FilterBar({ filters, onChange, narrowBy = ['category', 'priority', 'status'], anyStatusLabel = 'All' }: FilterBarProps) {
  const [searchText, setSearchText] = useState(filters.search ?? '');
  const debouncedSearch = useDebouncedValue(searchText, SEARCH_DEBOUNCE_MS);

  // Typing settles into the filters after a pause, not on every keystroke. Only a newly settled
  // search may push; `filters` is read from the render in which it settled, so it is current.
  // Text too short to search for searches for nothing (the box says why).
  const settledSearch = searchable(debouncedSearch) ? debouncedSearch : '';
  useEffect(() => {
    if (settledSearch.trim() !== (filters.search ?? '')) onChange({ ...filters, search: settledSearch });
  }, [settledSearch]);
  const tooShort = searchText.trim() !== '' && !searchable(searchText);

  // Filters changed from outside (cleared, or the browser went back): show them in the box.
  const [shownSearch, setShownSearch] = useState(filters.search);
  if (filters.search !== shownSearch) {
    setShownSearch(filters.search);
    if ((filters.search ?? '') !== searchText.trim()) setSearchText(filters.search ?? '');
  }

  const active = Boolean(filters.category || filters.priority || filters.status || filters.search);

  return (
    <div role="search" aria-label="Filter tickets" className="space-y-3">
      <Field label="Search tickets" labelStyle="hidden">
        {(control) => (
          <div className="relative">
            <SearchIcon />
            <input
              {...control}
              type="search"
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
              placeholder="Search title or description…"
              autoComplete="off"
              aria-describedby={tooShort ? 'search-too-short' : undefined}
              className={`${inputClass()} mt-0 pl-9`}
            />
          </div>
        )}
      </Field>
      {tooShort && (
        <p id="search-too-short" className="text-xs text-slate-500">
          Type at least three letters or digits in a row to search.
        </p>
      )}
      <div className={`grid ${GRID_COLUMNS[narrowBy.length]} gap-2 sm:gap-3`}>
        {narrowBy.map((key) => (
          <FilterSelect<string>
            key={key}
            {...NARROWING[key]}
            noneLabel={key === 'status' ? anyStatusLabel : 'All'}
            value={filters[key]}
            onChange={(value) => onChange({ ...filters, [key]: value } as ListFilters, { push: true })}
          />
        ))}
      </div>
      {active && (
        <div className="flex justify-end">
          <button
            type="button"
            onClick={() => {
              setSearchText('');
              onChange({}, { push: true });
            }}
            className={`${ghostButtonClass} px-2 py-1 text-xs`}
          >
            Clear filters
          </button>
        </div>
      )}
    </div>
  );
}

interface FilterSelectProps<T extends string> {
  label: string;
  noneLabel: string;
  value: T | undefined;
  options: readonly T[];
  optionLabels: Record<T, string>;
  onChange: (value: T | undefined) => void;
}

/** One narrowing choice; the empty one ("All") is no filter. */
function FilterSelect<T extends string>({ value, onChange, noneLabel, ...choice }: FilterSelectProps<T>) {
  return (
    <SelectField
      {...choice}
      noneLabel={noneLabel}
      labelStyle="small"
      className="min-w-0"
      value={value ?? ''}
      onChange={(chosen) => onChange(chosen || undefined)}
    />
  );
}

function SearchIcon() {
  return (
    <svg
      className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-400"
      viewBox="0 0 20 20"
      fill="currentColor"
      aria-hidden="true"
    >
      <path
        fillRule="evenodd"
        d="M9 3.5a5.5 5.5 0 1 0 3.4 9.83l3.14 3.14a.75.75 0 1 0 1.06-1.06l-3.14-3.14A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
