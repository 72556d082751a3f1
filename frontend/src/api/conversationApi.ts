// A ticket's thread (comments) and history (events): both oldest first, paged by the server's
// `Link: <…>; rel="next"` header, whose URL keeps the cursor and limit.
import type { AxiosResponse } from 'axios';

import { client, resolveAgainstApi } from './client';
import { parseNextLink } from './ticketApi';
import type { Comment, NewComment, Page, TicketEvent } from './types';

function toPage<T>(response: AxiosResponse<T[]>): Page<T> {
  return { items: response.data, nextUrl: parseNextLink(response.headers['link']) };
}

export async function listComments(ticketId: number, limit: number): Promise<Page<Comment>> {
  return toPage(await client.get<Comment[]>(`/tickets/${ticketId}/comments/`, { params: { limit: String(limit) } }));
}

export async function listCommentsAt(nextUrl: string): Promise<Page<Comment>> {
  return toPage(await client.get<Comment[]>(resolveAgainstApi(nextUrl)));
}

/** A public reply, or (staff only) an internal note; the server may move the ticket's status. */
export async function addComment(ticketId: number, comment: NewComment): Promise<Comment> {
  return (await client.post<Comment>(`/tickets/${ticketId}/comments/`, comment)).data;
}

export async function listEvents(ticketId: number, limit: number): Promise<Page<TicketEvent>> {
  return toPage(await client.get<TicketEvent[]>(`/tickets/${ticketId}/events/`, { params: { limit: String(limit) } }));
}

export async function listEventsAt(nextUrl: string): Promise<Page<TicketEvent>> {
  return toPage(await client.get<TicketEvent[]>(resolveAgainstApi(nextUrl)));
}
