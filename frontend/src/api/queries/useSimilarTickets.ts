import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { findSimilarTickets, listLikelyDuplicates, SIMILAR_MIN_CHARS } from '../ticketApi';
import { ticketKeys } from './queryKeys';

/** Tickets change slowly compared with typing: the same text is not asked about again for a minute. */
const SIMILAR_FRESH_MS = 60_000;

/**
 * Tickets like `text` (already debounced by the caller), none asked for while it is too short.
 * The previous results stay while the next ones load, so the list does not flicker as one types.
 */
export function useSimilarTickets(text: string, { enabled = true } = {}) {
  const query = text.trim();
  const long = [...query].length >= SIMILAR_MIN_CHARS;
  return useQuery({
    queryKey: ticketKeys.similar(query),
    queryFn: () => findSimilarTickets(query),
    enabled: enabled && long,
    staleTime: SIMILAR_FRESH_MS,
    placeholderData: keepPreviousData,
    select: (results) => (long ? results : []),
  });
}

/** The tickets most like this one: its likely duplicates. Staff only. */
export function useLikelyDuplicates(ticketId: number, { enabled = true } = {}) {
  return useQuery({
    queryKey: ticketKeys.likelyDuplicates(ticketId),
    queryFn: () => listLikelyDuplicates(ticketId),
    enabled,
    staleTime: SIMILAR_FRESH_MS,
  });
}
