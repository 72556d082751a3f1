import { useCallback, useEffect, useState } from 'react';

import { isCategory, isPriority, isStatus, type TicketFilters } from '../api/types';

/** Reads the filters from a query string, ignoring anything that is not an allowed value. */
export function filtersFromSearch(search: string): TicketFilters {
  const params = new URLSearchParams(search);
  const filters: TicketFilters = {};
  const category = params.get('category');
  const priority = params.get('priority');
  const status = params.get('status');
  const text = params.get('search')?.trim();
  if (isCategory(category)) filters.category = category;
  if (isPriority(priority)) filters.priority = priority;
  if (isStatus(status)) filters.status = status;
  if (text) filters.search = text;
  return filters;
}

function searchFromFilters(filters: TicketFilters, current: string): string {
  const params = new URLSearchParams(current);
  for (const key of ['category', 'priority', 'status', 'search'] as const) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * The list filters live in the URL query, so a filtered view can be bookmarked, shared and
 * survives a reload. Changes replace the history entry rather than stacking one per keystroke.
 */
export function useUrlFilters(): [TicketFilters, (next: TicketFilters) => void] {
  const [filters, setFilters] = useState(() => filtersFromSearch(window.location.search));

  useEffect(() => {
    const onPopState = () => setFilters(filtersFromSearch(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const update = useCallback((next: TicketFilters) => {
    const { pathname, hash, search } = window.location;
    const nextSearch = searchFromFilters(next, search);
    window.history.replaceState(window.history.state, '', `${pathname}${nextSearch}${hash}`);
    setFilters(filtersFromSearch(nextSearch));
  }, []);

  return [filters, update];
}
