import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  acceptInboundMail,
  discardInboundMail,
  getMailSettings,
  listInbound,
  listOutbox,
  retryOutboxMail,
  unsubscribe,
  updateMailSettings,
} from '../mailApi';
import type { InboundMail, InboundStatus, OutboxMail, OutboxStatus } from '../types';
import { invalidateTicketSummaries, mailKeys, meKeys, ticketKeys } from './queryKeys';

export function useMailSettings() {
  return useQuery({ queryKey: mailKeys.settings(), queryFn: getMailSettings });
}

export function useUpdateMailSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMailSettings,
    onSuccess: (settings) => queryClient.setQueryData(mailKeys.settings(), settings),
  });
}

export function useOutbox(status: OutboxStatus) {
  return useQuery({ queryKey: mailKeys.outbox(status), queryFn: () => listOutbox(status) });
}

/**
 * Told of a success before the lists are fetched again, which may take the mail (and the
 * component that asked) off the page, so a callback given to `mutate` would never run.
 */
interface Outcome<T> {
  onSuccess?: (answer: T) => void;
}

/** A mail queued again leaves the failed list for the queued one, and the settings' counts move. */
export function useRetryOutboxMail({ onSuccess }: Outcome<OutboxMail> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryOutboxMail,
    onSuccess: (mail) => {
      onSuccess?.(mail);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: mailKeys.outboxLists() }),
        queryClient.invalidateQueries({ queryKey: mailKeys.settings() }),
      ]);
    },
  });
}

export function useInboundMail(status: InboundStatus) {
  return useQuery({ queryKey: mailKeys.inbound(status), queryFn: () => listInbound(status) });
}

/**
 * An accepted mail leaves the held list and becomes a new ticket or a reply on one, so the
 * ticket lists and counts, and that ticket with its thread, are fetched again too.
 */
export function useAcceptInboundMail({ onSuccess }: Outcome<InboundMail> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInboundMail,
    onSuccess: (mail) => {
      onSuccess?.(mail);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: mailKeys.inboundLists() }),
        invalidateTicketSummaries(queryClient),
        ...(mail.ticket_id === null ? [] : [queryClient.invalidateQueries({ queryKey: ticketKeys.detail(mail.ticket_id) })]),
      ]);
    },
  });
}

export function useDiscardInboundMail({ onSuccess }: Outcome<InboundMail> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: discardInboundMail,
    onSuccess: (mail) => {
      onSuccess?.(mail);
      return queryClient.invalidateQueries({ queryKey: mailKeys.inboundLists() });
    },
  });
}

/** The link may be opened while signed in as the very account it unsubscribes. */
export function useUnsubscribe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: unsubscribe,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meKeys.me() }),
  });
}
