import { useMutation, useQueryClient } from '@tanstack/react-query';

import { createTicket } from '../ticketApi';
import { ticketKeys } from './queryKeys';

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTicket,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.stats() }),
      ]),
  });
}
