import { useMutation, useQueryClient } from '@tanstack/react-query';

import { mergeTicket } from '../ticketApi';
import { invalidateTicketSummaries, ticketKeys } from './queryKeys';

/**
 * Closing a ticket as a duplicate of another writes on both threads and moves both into other
 * lists, so both tickets (with their threads, histories and likely duplicates) are fetched again.
 */
export function useMergeTicket(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (into: number) => mergeTicket(ticketId, into),
    onSuccess: (merged, into) => {
      queryClient.setQueryData(ticketKeys.detail(ticketId), merged);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(into) }),
        invalidateTicketSummaries(queryClient),
      ]);
    },
  });
}
