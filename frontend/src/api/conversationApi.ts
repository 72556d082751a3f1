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

/**
 * A public reply, or (staff only) an internal note; the server may move the ticket's status.
 * Every attempt to send one draft carries the draft's key: the server stores it once.
 */
export async function addComment(ticketId: number, comment: NewComment, idempotencyKey: string): Promise<Comment> {
  const response = await client.post<Comment>(`/tickets/${ticketId}/comments/`, comment, {
    headers: { 'Idempotency-Key': idempotencyKey },
  });
  return response.data;
}

export async function listEvents(ticketId: number, limit: number): Promise<Page<TicketEvent>> {
  return toPage(await client.get<TicketEvent[]>(`/tickets/${ticketId}/events/`, { params: { limit: String(limit) } }));
}

export async function listEventsAt(nextUrl: string): Promise<Page<TicketEvent>> {
  return toPage(await client.get<TicketEvent[]>(resolveAgainstApi(nextUrl)));
}
