import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { getMe } from '../authApi';
import { updateNotifications } from '../mailApi';
import type { Me } from '../types';
import { meKeys } from './queryKeys';

/**
 * The caller's own settings, from `GET /api/me`: the session's user comes from signing in,
 * whose answer need not carry them.
 */
export function useMe() {
  return useQuery({ queryKey: meKeys.me(), queryFn: getMe });
}

export function useUpdateNotifications() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateNotifications,
    onSuccess: ({ new_tickets }) =>
      queryClient.setQueryData<Me>(meKeys.me(), (me) => me && { ...me, notify_new_tickets: new_tickets }),
  });
}
