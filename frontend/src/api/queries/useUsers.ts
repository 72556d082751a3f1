import { useInfiniteQuery } from '@tanstack/react-query';

import { listUsers, USERS_PAGE_SIZE } from '../usersApi';
import { userKeys } from './queryKeys';

/** Every account, oldest first, a page at a time. */
export function useUsers() {
  return useInfiniteQuery({
    queryKey: userKeys.lists(),
    queryFn: ({ pageParam }) => listUsers(pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (lastPage) => (lastPage.length === USERS_PAGE_SIZE ? lastPage.at(-1)?.id : undefined),
    select: (data) => data.pages.flat(),
  });
}
