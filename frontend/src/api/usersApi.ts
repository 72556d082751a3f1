// Accounts: all of them for admins; who can be assigned a ticket for staff.
import { client } from './client';
import type { Agent, Invitation, User, UserChanges } from './types';

/** The server's page size: a full page means there may be more after its last id. */
export const USERS_PAGE_SIZE = 100;

export async function listUsers(after?: number): Promise<User[]> {
  const params = after === undefined ? undefined : { after: String(after) };
  return (await client.get<User[]>('/users/', { params })).data;
}

export async function inviteUser(invitation: Invitation): Promise<User> {
  return (await client.post<User>('/users/', invitation)).data;
}

export async function updateUser(id: number, changes: UserChanges): Promise<User> {
  return (await client.patch<User>(`/users/${id}/`, changes)).data;
}

/** Enabled agents and admins, by name: whom a ticket can be assigned to. */
export async function listAgents(): Promise<Agent[]> {
  return (await client.get<Agent[]>('/agents/')).data;
}
