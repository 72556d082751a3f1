import { useMutation, useQueryClient } from '@tanstack/react-query';

import type { UserChanges } from '../types';
import { inviteUser, updateUser } from '../usersApi';
import { userKeys } from './queryKeys';

function useUserMutation<Variables>(mutationFn: (variables: Variables) => ReturnType<typeof inviteUser>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.lists() }),
  });
}

export function useInviteUser() {
  return useUserMutation(inviteUser);
}

export function useUpdateUser() {
  return useUserMutation(({ id, changes }: { id: number; changes: UserChanges }) => updateUser(id, changes));
}
