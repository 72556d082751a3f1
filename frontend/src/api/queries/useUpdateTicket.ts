import { useMutation, useQueryClient } from '@tanstack/react-query';

import { ApiError } from '../errors';
import { updateTicket } from '../ticketApi';
import type { TicketPatch } from '../types';
import { invalidateTicketSummaries, ticketKeys } from './queryKeys';

interface UpdateTicketVariables {
  id: number;
  patch: TicketPatch;
  etag?: string | null;
}

export function useUpdateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch, etag }: UpdateTicketVariables) => updateTicket(id, patch, etag),
    onSuccess: (updated) => {
      queryClient.setQueryData(ticketKeys.detail(updated.ticket.id), updated);
      return Promise.all([
        invalidateTicketSummaries(queryClient),
        // The change is a line of the history now.
        queryClient.invalidateQueries({ queryKey: ticketKeys.events(updated.ticket.id) }),
      ]);
    },
    onError: (error, { id }) => {
      // Someone else changed the ticket: load their version (and what they did) so the user
      // edits on top of it.
      if (error instanceof ApiError && error.isConflict) {
        return Promise.all([
          queryClient.invalidateQueries({ queryKey: ticketKeys.detail(id) }),
          queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        ]);
      }
    },
  });
}
