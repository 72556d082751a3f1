import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';

import { listTickets, listTicketsAt } from '../ticketApi';
import type { TicketFilters } from '../types';
import { ticketKeys } from './queryKeys';

export const TICKETS_PAGE_SIZE = 20;
/** The list is refreshed this often while shown; unchanged pages cost a 304 each. */
export const TICKETS_REFRESH_MS = 30_000;

/** Newest-first tickets matching `filters`, one page at a time following the `Link` header. */
export function useTickets(filters: TicketFilters) {
  return useInfiniteQuery({
    queryKey: ticketKeys.list(filters),
    queryFn: ({ pageParam }) => (pageParam ? listTicketsAt(pageParam) : listTickets(filters, TICKETS_PAGE_SIZE)),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextUrl,
    // While another filter's first page loads, keep showing the previous results.
    placeholderData: keepPreviousData,
    refetchInterval: TICKETS_REFRESH_MS,
    select: (data) => ({ ...data, tickets: data.pages.flatMap((page) => page.tickets) }),
  });
}
