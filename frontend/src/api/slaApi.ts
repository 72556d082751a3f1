// The service-level targets per priority: staff read them, admins change them.
import { client } from './client';
import type { SlaPolicy } from './types';

export async function getSlaPolicy(): Promise<SlaPolicy> {
  return (await client.get<SlaPolicy>('/sla-policy/')).data;
}

/** All four priorities at once; the server checks 1 ≤ minutes ≤ 525,600 and response ≤ resolution. */
export async function updateSlaPolicy(policy: SlaPolicy): Promise<SlaPolicy> {
  return (await client.put<SlaPolicy>('/sla-policy/', policy)).data;
}
