import { useQuery } from '@tanstack/react-query';

import { getTicket } from '../ticketApi';
import type { Ticket } from '../types';
import { ticketKeys } from './queryKeys';

/**
 * The freshest copy of one ticket and its version tag. `fromList` is shown meanwhile, so a
 * modal opened from a card never starts empty.
 */
export function useTicket(fromList: Ticket) {
  return useQuery({
    queryKey: ticketKeys.detail(fromList.id),
    queryFn: () => getTicket(fromList.id),
    placeholderData: { ticket: fromList, etag: null },
  });
}
