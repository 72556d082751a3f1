import type { QueryClient } from '@tanstack/react-query';

import type { InboundStatus, OutboxStatus, TicketFilters } from '../types';

/**
 * One hierarchy for every cached server value, so a mutation can invalidate "all ticket
 * lists" or "the stats" without knowing which filters are on screen.
 */
export const ticketKeys = {
  all: ['tickets'] as const,
  lists: () => [...ticketKeys.all, 'list'] as const,
  list: (filters: TicketFilters) => [...ticketKeys.lists(), filters] as const,
  details: () => [...ticketKeys.all, 'detail'] as const,
  detail: (id: number) => [...ticketKeys.details(), id] as const,
  comments: (id: number) => [...ticketKeys.detail(id), 'comments'] as const,
  events: (id: number) => [...ticketKeys.detail(id), 'events'] as const,
  /** Under the ticket, so refreshing it after a merge refreshes these too. */
  likelyDuplicates: (id: number) => [...ticketKeys.detail(id), 'similar'] as const,
  similar: (text: string) => [...ticketKeys.all, 'similar', text] as const,
  stats: () => [...ticketKeys.all, 'stats'] as const,
  queues: () => [...ticketKeys.all, 'queues'] as const,
};

/** Kept across sign-outs: how one may sign in does not depend on who did. */
export const authKeys = {
  methods: () => ['sign-in-methods'] as const,
};

export const userKeys = {
  all: ['users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
  agents: () => [...userKeys.all, 'agents'] as const,
};

export const slaKeys = {
  policy: () => ['sla-policy'] as const,
};

/** Whether the server has a language model to assist with; changes with a deploy, not while it runs. */
export const assistKeys = {
  availability: () => ['assist'] as const,
};

/** The caller's own account and settings, as `GET /api/me` has them. */
export const meKeys = {
  me: () => ['me'] as const,
};

export const mailKeys = {
  all: ['mail'] as const,
  settings: () => [...mailKeys.all, 'settings'] as const,
  outboxLists: () => [...mailKeys.all, 'outbox'] as const,
  outbox: (status: OutboxStatus) => [...mailKeys.outboxLists(), status] as const,
  inboundLists: () => [...mailKeys.all, 'inbound'] as const,
  inbound: (status: InboundStatus) => [...mailKeys.inboundLists(), status] as const,
};

/** After any change to a ticket: every list, the queue counts and the stats may now differ. */
export function invalidateTicketSummaries(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: ticketKeys.queues() }),
    queryClient.invalidateQueries({ queryKey: ticketKeys.stats() }),
  ]);
}
