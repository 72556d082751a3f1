import type { TicketFilters } from '../types';

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
  stats: () => [...ticketKeys.all, 'stats'] as const,
};

/** Kept across sign-outs: how one may sign in does not depend on who did. */
export const authKeys = {
  methods: () => ['sign-in-methods'] as const,
};

export const userKeys = {
  all: ['users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
};
