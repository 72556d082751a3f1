import { useQuery } from '@tanstack/react-query';

import { getQueueCounts } from '../ticketApi';
import { ticketKeys } from './queryKeys';

/** Others work the same queues: counts refresh on their own, besides after the user's changes. */
export const QUEUE_COUNTS_REFRESH_MS = 30_000;

export function useQueueCounts() {
  return useQuery({ queryKey: ticketKeys.queues(), queryFn: getQueueCounts, refetchInterval: QUEUE_COUNTS_REFRESH_MS });
}
