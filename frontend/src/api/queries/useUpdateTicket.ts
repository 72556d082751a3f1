import { useMutation, useQueryClient } from '@tanstack/react-query';

import { ApiError } from '../errors';
import { updateTicket } from '../ticketApi';
import type { TicketPatch } from '../types';
import { ticketKeys } from './queryKeys';

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
        queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.stats() }),
      ]);
    },
    onError: (error, { id }) => {
      // Someone else changed the ticket: load their version so the user edits on top of it.
      if (error instanceof ApiError && error.isConflict) {
        return Promise.all([
          queryClient.invalidateQueries({ queryKey: ticketKeys.detail(id) }),
          queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        ]);
      }
    },
  });
}
