import { useMutation, useQuery } from '@tanstack/react-query';

import { draftReply, getAssistAvailability, summarizeTicket } from '../assistApi';
import { assistKeys } from './queryKeys';

/** Whether to offer drafting and summarizing at all. Staff only. */
export function useAssistAvailability({ enabled = true } = {}) {
  return useQuery({
    queryKey: assistKeys.availability(),
    queryFn: getAssistAvailability,
    staleTime: Infinity,
    enabled,
    select: (answer) => answer.available,
  });
}

/** Mutations, not queries: each asks the model afresh, and nothing is kept on the server. */
export function useReplyDraft(ticketId: number) {
  return useMutation({ mutationFn: () => draftReply(ticketId) });
}

export function useTicketSummary(ticketId: number) {
  return useMutation({ mutationFn: () => summarizeTicket(ticketId) });
}
