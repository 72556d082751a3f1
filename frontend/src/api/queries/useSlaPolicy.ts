import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { getSlaPolicy, updateSlaPolicy } from '../slaApi';
import { slaKeys, ticketKeys } from './queryKeys';

export function useSlaPolicy() {
  return useQuery({ queryKey: slaKeys.policy(), queryFn: getSlaPolicy });
}

/** New targets move the due times of running tickets, so their badges and counts are fetched again. */
export function useUpdateSlaPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSlaPolicy,
    onSuccess: (policy) => {
      queryClient.setQueryData(slaKeys.policy(), policy);
      return queryClient.invalidateQueries({ queryKey: ticketKeys.all });
    },
  });
}
