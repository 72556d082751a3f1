import { useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';

import { getTicket } from '../ticketApi';
import type { Ticket, TicketPage, VersionedTicket } from '../types';
import { ticketKeys } from './queryKeys';

/** The ticket as some cached list shows it, so a page opened from a card never starts empty. */
function fromCachedLists(queryClient: QueryClient, id: number): VersionedTicket | undefined {
  for (const [, data] of queryClient.getQueriesData<InfiniteData<TicketPage>>({ queryKey: ticketKeys.lists() })) {
    const ticket: Ticket | undefined = data?.pages.flatMap((page) => page.tickets).find((t) => t.id === id);
    if (ticket) return { ticket, etag: null };
  }
  return undefined;
}

/**
 * The freshest copy of one ticket and its version tag (`etag` is null while only a listed copy
 * is shown, so nothing is changed on top of a version the server did not vouch for).
 */
export function useTicket(id: number) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: ticketKeys.detail(id),
    queryFn: () => getTicket(id),
    placeholderData: () => fromCachedLists(queryClient, id),
  });
}
