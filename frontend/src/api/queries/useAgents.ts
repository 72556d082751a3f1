import { useQuery } from '@tanstack/react-query';

import type { Agent } from '../types';
import { listAgents } from '../usersApi';
import { userKeys } from './queryKeys';

/** Staff change rarely: the list is fresh for five minutes. */
const AGENTS_FRESH_MS = 5 * 60_000;

/** Whom a ticket can be assigned to, and (`nameOf`) the name behind an `assignee_id`. Staff only. */
export function useAgents({ enabled = true } = {}) {
  return useQuery({
    queryKey: userKeys.agents(),
    queryFn: listAgents,
    staleTime: AGENTS_FRESH_MS,
    enabled,
    select: (agents) => ({ agents, byId: new Map<number, Agent>(agents.map((agent) => [agent.id, agent])) }),
  });
}
