// The email channel's open-ended values (the server may add templates and reasons before this
// build knows them) in words; an unknown one is still said plainly.
import type { InboundMail } from '../api/types';

const TEMPLATE_LABELS: Record<string, string> = {
  ticket_received: 'Ticket received',
  agent_replied: 'Agent replied',
  ticket_resolved: 'Ticket resolved',
  ticket_assigned: 'Ticket assigned',
  new_ticket: 'New ticket',
};

const REASON_TEXTS: Record<string, string> = {
  unverified_sender: 'Sender could not be verified (SPF/DKIM failed)',
  unknown_sender: 'Sender is not the requester of the ticket it answers',
  auto_reply: 'Automatic reply, such as an out-of-office note',
  bounce: 'Delivery failure report (bounce)',
  loop: 'Sent by this helpdesk itself (mail loop)',
  too_large: 'Too large',
  malformed: 'Not a readable email',
  duplicate: 'Already received',
};

function plainly(value: string): string {
  const words = value.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What an outgoing mail is about: "Agent replied". */
export function templateLabel(template: string): string {
  return TEMPLATE_LABELS[template] ?? plainly(template);
}

/** Why a received mail was held or set aside: "Sender could not be verified (SPF/DKIM failed)". */
export function reasonText(reason: string | null): string {
  if (reason === null) return 'No reason given';
  return REASON_TEXTS[reason] ?? plainly(reason);
}

/** A received mail's subject, to name it by in a sentence or a button's name. */
export function subjectOf(mail: Pick<InboundMail, 'subject'>): string {
  return mail.subject.trim() || '(no subject)';
}
