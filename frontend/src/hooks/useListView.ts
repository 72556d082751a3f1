import { useCallback, useEffect, useState } from 'react';

import { isCategory, isPriority, isStatus, type Category, type Priority, type Status, type TicketFilters } from '../api/types';
import { DEFAULT_QUEUE, isQueueName, queueNamed, type QueueName } from '../lib/queues';

/** The filter bar's choices. */
export interface ListFilters {
  category?: Category;
  priority?: Priority;
  status?: Status;
  search?: string;
}

/** What the list shows, as its URL says: a queue (staff), and the filter bar's choices within it. */
export interface ListView extends ListFilters {
  /** Absent: all tickets. */
  queue?: Exclude<QueueName, typeof DEFAULT_QUEUE>;
}

const VIEW_KEYS = ['queue', 'category', 'priority', 'status', 'search'] as const;

/** Reads the view from a query string, ignoring anything that is not an allowed value. */
export function listViewFromSearch(search: string): ListView {
  const params = new URLSearchParams(search);
  const view: ListView = {};
  const queue = params.get('queue');
  const category = params.get('category');
  const priority = params.get('priority');
  const status = params.get('status');
  const text = params.get('search')?.trim();
  if (isQueueName(queue) && queue !== DEFAULT_QUEUE) view.queue = queue;
  if (isCategory(category)) view.category = category;
  if (isPriority(priority)) view.priority = priority;
  if (isStatus(status)) view.status = status;
  if (text) view.search = text;
  return view;
}

/** The query string for `view`, keeping any other parameters of `current`. */
export function searchFromListView(view: ListView, current = ''): string {
  const params = new URLSearchParams(current);
  for (const key of VIEW_KEYS) {
    const value = view[key]?.trim();
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The filter bar's choices of a view, without its queue. */
export function listFilters({ queue: _queue, ...filters }: ListView): ListFilters {
  return filters;
}

/** What to ask the API for: the queue's filters, then the filter bar's — a chosen status replaces the queue's. */
export function apiFiltersFor(view: ListView): TicketFilters {
  const { filters } = queueNamed(view.queue ?? DEFAULT_QUEUE);
  return { ...filters, ...listFilters(view) };
}

/**
 * The list's view lives in the URL query, so it can be bookmarked, shared, survives a reload and
 * follows the browser's back and forward buttons. `push` makes a history entry (a queue or a
 * filter chosen); without it the entry is replaced (the search box, which settles as one types).
 */
export function useListView(): [ListView, (next: ListView, options?: { push?: boolean }) => void] {
  const [view, setView] = useState(() => listViewFromSearch(window.location.search));

  useEffect(() => {
    const onPopState = () => setView(listViewFromSearch(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const update = useCallback((next: ListView, { push = false } = {}) => {
    const { pathname, hash, search } = window.location;
    const nextSearch = searchFromListView(next, search);
    if (nextSearch === search) return;
    const url = `${pathname}${nextSearch}${hash}`;
    if (push) window.history.pushState(null, '', url);
    else window.history.replaceState(window.history.state, '', url);
    setView(listViewFromSearch(nextSearch));
  }, []);

  return [view, update];
}
