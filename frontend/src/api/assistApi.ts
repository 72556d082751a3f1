// Writing assistance for staff from the language model: a reply draft and a summary of a ticket.
// Neither is stored or sent anywhere by the server; the agent decides what to do with the text.
import { client } from './client';
import type { AssistAvailability } from './types';

/** False where no language model is configured: the assistance is then not offered at all. */
export async function getAssistAvailability(): Promise<AssistAvailability> {
  return (await client.get<AssistAvailability>('/tickets/assist/')).data;
}

/** Text for the agent to edit in the public reply box; a 503 when the model gave no answer. */
export async function draftReply(ticketId: number): Promise<string> {
  return (await client.post<{ draft: string }>(`/tickets/${ticketId}/reply-draft/`)).data.draft;
}

/** At most 100 words: the problem, what was done, where it stands and the next step. */
export async function summarizeTicket(ticketId: number): Promise<string> {
  return (await client.post<{ summary: string }>(`/tickets/${ticketId}/summary/`)).data.summary;
}
