import { useMutation, useQueryClient } from '@tanstack/react-query';

import { ApiError } from '../errors';
import { createTicket } from '../ticketApi';
import type { NewTicket } from '../types';
import { invalidateTicketSummaries } from './queryKeys';

export interface CreateTicketVariables {
  ticket: NewTicket;
  /** The draft's key, sent unchanged on every attempt (see `createTicket`). */
  idempotencyKey: string;
}

/** Attempts after the first one, waiting the query client's mutation backoff in between. */
export const CREATE_RETRIES = 3;

/**
 * No answer at all, or the server or the proxy in front of it unavailable: the ticket may exist
 * or not, and only asking again with the same key finds out. Any other answer is final.
 */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.isNetworkError || [502, 503, 504].includes(error.status));
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ticket, idempotencyKey }: CreateTicketVariables) => createTicket(ticket, idempotencyKey),
    retry: (failureCount, error) => failureCount < CREATE_RETRIES && outcomeUnknown(error),
    onSuccess: () => invalidateTicketSummaries(queryClient),
  });
}
