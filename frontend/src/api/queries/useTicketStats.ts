import { useQuery } from '@tanstack/react-query';

import { getTicketStats } from '../ticketApi';
import { ticketKeys } from './queryKeys';

export const STATS_REFRESH_MS = 30_000;

export function useTicketStats() {
  return useQuery({
    queryKey: ticketKeys.stats(),
    queryFn: getTicketStats,
    refetchInterval: STATS_REFRESH_MS,
  });
}
