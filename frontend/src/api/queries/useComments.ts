import { useInfiniteQuery } from '@tanstack/react-query';

import { listComments, listCommentsAt } from '../conversationApi';
import { ticketKeys } from './queryKeys';

export const COMMENTS_PAGE_SIZE = 50;

/** A ticket's thread, oldest first, a page at a time (only public replies for a requester). */
export function useComments(ticketId: number) {
  return useInfiniteQuery({
    queryKey: ticketKeys.comments(ticketId),
    queryFn: ({ pageParam }) => (pageParam ? listCommentsAt(pageParam) : listComments(ticketId, COMMENTS_PAGE_SIZE)),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextUrl,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}
