import { useMutation, useQueryClient } from '@tanstack/react-query';

import { addComment } from '../conversationApi';
import type { NewComment } from '../types';
import { invalidateTicketSummaries, ticketKeys } from './queryKeys';
import { CREATE_RETRIES, outcomeUnknown } from './useCreateTicket';

export interface AddCommentVariables {
  comment: NewComment;
  /** The draft's key, sent unchanged on every attempt (see `addComment`). */
  idempotencyKey: string;
}

/**
 * Replying may move the ticket (a requester's reply reopens a resolved one, an agent's first
 * public reply starts an open one) and stops or restarts its targets, so afterwards the ticket,
 * its thread and its history are fetched again, and so are the lists and counts.
 */
export function useAddComment(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ comment, idempotencyKey }: AddCommentVariables) => addComment(ticketId, comment, idempotencyKey),
    // The key makes asking again safe when the answer was lost.
    retry: (failureCount, error) => failureCount < CREATE_RETRIES && outcomeUnknown(error),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        invalidateTicketSummaries(queryClient),
      ]),
  });
}
