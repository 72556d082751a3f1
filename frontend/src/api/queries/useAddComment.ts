import { useMutation, useQueryClient } from '@tanstack/react-query';

import { addComment } from '../conversationApi';
import type { NewComment } from '../types';
import { invalidateTicketSummaries, ticketKeys } from './queryKeys';

/**
 * Replying may move the ticket (a requester's reply reopens a resolved one, an agent's first
 * public reply starts an open one) and stops or restarts its targets, so afterwards the ticket,
 * its thread and its history are fetched again, and so are the lists and counts.
 */
export function useAddComment(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (comment: NewComment) => addComment(ticketId, comment),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        invalidateTicketSummaries(queryClient),
      ]),
  });
}
