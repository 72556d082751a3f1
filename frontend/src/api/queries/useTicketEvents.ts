import { useInfiniteQuery } from '@tanstack/react-query';

import { listEvents, listEventsAt } from '../conversationApi';
import { ticketKeys } from './queryKeys';

export const EVENTS_PAGE_SIZE = 50;

/** A ticket's history, oldest first, a page at a time (only public events for a requester). */
export function useTicketEvents(ticketId: number) {
  return useInfiniteQuery({
    queryKey: ticketKeys.events(ticketId),
    queryFn: ({ pageParam }) => (pageParam ? listEventsAt(pageParam) : listEvents(ticketId, EVENTS_PAGE_SIZE)),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextUrl,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}
