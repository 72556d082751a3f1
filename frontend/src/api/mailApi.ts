// The email channel: what mail goes out as (admins), the outbox and the received mail kept for a
// decision (staff), each one's own notifications, and leaving them by the link in a mail.
import { client } from './client';
import type {
  InboundMail,
  InboundStatus,
  MailSettings,
  MailSettingsChanges,
  NotificationSettings,
  OutboxMail,
  OutboxStatus,
} from './types';

export async function getMailSettings(): Promise<MailSettings> {
  return (await client.get<MailSettings>('/mail/settings/')).data;
}

/** 400 with field messages keyed `support_address` or `sender_name` when the server refuses a value. */
export async function updateMailSettings(changes: MailSettingsChanges): Promise<MailSettings> {
  return (await client.put<MailSettings>('/mail/settings/', changes)).data;
}

/** Newest first, at most 100. */
export async function listOutbox(status: OutboxStatus): Promise<OutboxMail[]> {
  return (await client.get<OutboxMail[]>('/mail/outbox/', { params: { status } })).data;
}

/** Only a failed mail can be queued again (else 409). */
export async function retryOutboxMail(id: number): Promise<OutboxMail> {
  return (await client.post<OutboxMail>(`/mail/outbox/${id}/retry/`)).data;
}

/** Newest first, at most 100. */
export async function listInbound(status: InboundStatus): Promise<InboundMail[]> {
  return (await client.get<InboundMail[]>('/mail/inbound/', { params: { status } })).data;
}

/** A held mail becomes the ticket or comment it would have been; answers it `released`, with its `ticket_id`. */
export async function acceptInboundMail(id: number): Promise<InboundMail> {
  return (await client.post<InboundMail>(`/mail/inbound/${id}/accept/`)).data;
}

export async function discardInboundMail(id: number): Promise<InboundMail> {
  return (await client.post<InboundMail>(`/mail/inbound/${id}/discard/`)).data;
}

/** Staff only; a requester gets 403. */
export async function updateNotifications(settings: NotificationSettings): Promise<NotificationSettings> {
  return (await client.put<NotificationSettings>('/me/notifications/', settings)).data;
}

/**
 * Needs no session: the token from the mail's link is the proof. The link carries it in its
 * fragment, so it never reaches a server log; here it travels in the body. 404 for an unknown token.
 */
export async function unsubscribe(token: string): Promise<void> {
  await client.post('/mail/unsubscribe/', { token });
}
