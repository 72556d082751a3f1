// The vocabulary of the API: the server's Category, Priority, Status and Role enums. Every
// option list, badge and label in the UI derives from these arrays, so a new value is added here
// once; the browser journey (e2e/run.mjs) compares the selects built from them with the enums of
// the server's /api/openapi.json, so a value added on one side only fails it.

export const CATEGORIES = ['billing', 'technical', 'account', 'general'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export const ROLES = ['requester', 'agent', 'admin'] as const;
/** Who may read a comment (and the event that says it was added): everyone on the ticket, or staff. */
export const VISIBILITIES = ['public', 'internal'] as const;
/** How a running service-level target stands; null on a ticket when none is running. */
export const SLA_STATES = ['ok', 'due_soon', 'breached'] as const;
export const SLA_TARGETS = ['first_response', 'resolution'] as const;
/** How a comment reached the thread: written in the app, or a requester's reply by email. */
export const COMMENT_CHANNELS = ['web', 'email'] as const;
/** Where outgoing mail goes: the server's `MAIL_TRANSPORT`. */
export const MAIL_TRANSPORTS = ['smtp', 'ses', 'none'] as const;
export const OUTBOX_STATUSES = ['queued', 'sent', 'failed'] as const;
/** `released`: held, then accepted by an agent. */
export const INBOUND_STATUSES = ['accepted', 'held', 'ignored', 'rejected', 'released', 'discarded'] as const;
/** Who set a ticket's labels: the language model, the rules standing in for it, or a person. */
export const CLASSIFIERS = ['llm', 'fallback', 'person'] as const;
/** How sure the classifier was of a label. */
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
/** The tone of the requester's words, as the classifier read it. */
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Status = (typeof STATUSES)[number];
export type Role = (typeof ROLES)[number];
export type Visibility = (typeof VISIBILITIES)[number];
export type SlaState = (typeof SLA_STATES)[number];
export type SlaTarget = (typeof SLA_TARGETS)[number];
export type CommentChannel = (typeof COMMENT_CHANNELS)[number];
export type MailTransport = (typeof MAIL_TRANSPORTS)[number];
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type InboundStatus = (typeof INBOUND_STATUSES)[number];
export type Classifier = (typeof CLASSIFIERS)[number];
export type Confidence = (typeof CONFIDENCES)[number];
export type Sentiment = (typeof SENTIMENTS)[number];

/** The classifier's certainty about each label it set. */
export interface LabelConfidence {
  category: Confidence;
  priority: Confidence;
}

export const CATEGORY_LABELS: Record<Category, string> = {
  billing: 'Billing',
  technical: 'Technical',
  account: 'Account',
  general: 'General',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export const STATUS_LABELS: Record<Status, string> = {
  open: 'Open',
  in_progress: 'In progress',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const ROLE_LABELS: Record<Role, string> = {
  requester: 'Requester',
  agent: 'Agent',
  admin: 'Admin',
};

export const SLA_TARGET_LABELS: Record<SlaTarget, string> = {
  first_response: 'First response',
  resolution: 'Resolution',
};

export const MAIL_TRANSPORT_LABELS: Record<MailTransport, string> = {
  smtp: 'SMTP',
  ses: 'Amazon SES',
  none: 'not configured — mails stay queued',
};

export const TITLE_MAX_CHARS = 200;
export const DESCRIPTION_MAX_CHARS = 10_000;
export const COMMENT_MAX_CHARS = 10_000;
/** The longest SLA target the server takes: a year, in minutes. */
export const SLA_MAX_MINUTES = 525_600;
/** The longest sender name the server takes for outgoing mail. */
export const SENDER_NAME_MAX_CHARS = 100;

export interface Ticket {
  id: number;
  title: string;
  description: string;
  category: Category;
  priority: Priority;
  status: Status;
  /** RFC 3339, UTC */
  created_at: string;
  /** RFC 3339, UTC */
  updated_at: string;
  /** Who asked; null for tickets from before accounts existed. */
  requester_id: number | null;
  requester_email: string | null;
  requester_name: string | null;
  /** The agent or admin working it; null when unassigned. */
  assignee_id: number | null;
  /** RFC 3339; null for requesters, who are not shown the targets. */
  first_response_due_at: string | null;
  resolution_due_at: string | null;
  /** RFC 3339, when staff first replied publicly, and when it was resolved; null until then. */
  first_responded_at: string | null;
  resolved_at: string | null;
  /** The running target's standing; null when none runs (resolved, closed) and always for requesters. */
  sla: SlaState | null;
  sla_target: SlaTarget | null;
  /** RFC 3339: when the running target is due. */
  sla_due_at: string | null;
  /**
   * Triage, the team's business: null for requesters and visitors. `classified_by` is null for a
   * ticket from before it was recorded; `confidence` is set while the labels are the classifier's.
   */
  classified_by: Classifier | null;
  confidence: LabelConfidence | null;
  sentiment: Sentiment | null;
  /** BCP 47, e.g. `en`, `pt-BR`. */
  language: string | null;
  /** Labels a person should check; cleared when staff set the category or priority. */
  needs_triage: boolean | null;
  /** The ticket this one was merged into (closing it); shown to everyone who sees the ticket. */
  duplicate_of: number | null;
}

export interface NewTicket {
  title: string;
  description: string;
  /** Omitted: the server classifies the description to fill it. */
  category?: Category;
  priority?: Priority;
  /** Staff filing for someone else, or anyone where submission without an account is on. */
  requester_email?: string;
  requester_name?: string;
}

export type TicketPatch = Partial<Pick<Ticket, 'status' | 'category' | 'priority' | 'assignee_id'>>;

/** `assignee`: the caller, nobody, or an account's id. Staff only, like `sla`. */
export type AssigneeFilter = 'me' | 'none' | number;
export type SlaFilter = Exclude<SlaState, 'ok'>;

/** What `GET /api/tickets/` narrows by; a list of statuses matches any of them. */
export interface TicketFilters {
  category?: Category;
  priority?: Priority;
  status?: Status | readonly Status[];
  search?: string;
  assignee?: AssigneeFilter;
  sla?: SlaFilter;
  /** Staff only: tickets whose labels a person should check. */
  needs_triage?: boolean;
}

export interface TicketPage {
  tickets: Ticket[];
  /** The `rel="next"` URL of the `Link` header, or null on the last page. */
  nextUrl: string | null;
}

/** One page of a list the server pages with `Link: <…>; rel="next"`. */
export interface Page<T> {
  items: T[];
  nextUrl: string | null;
}

/** A ticket together with the version tag the server sent for it, if any. */
export interface VersionedTicket {
  ticket: Ticket;
  etag: string | null;
}

export interface TicketStats {
  total_tickets: number;
  open_tickets: number;
  avg_tickets_per_day: number;
  priority_breakdown: Record<Priority, number>;
  category_breakdown: Record<Category, number>;
  /** Open or in progress, per agent (last 30 days for the medians). */
  open_by_assignee: AssigneeLoad[];
  unassigned_open: number;
  sla_breached: number;
  /** Open or in progress, with labels a person should check. */
  needs_triage: number;
  median_first_response_minutes: number | null;
  median_resolution_minutes: number | null;
}

export interface AssigneeLoad {
  assignee_id: number;
  assignee_name: string;
  tickets: number;
}

/** `GET /api/tickets/queues/`: how many tickets each queue's list holds. */
export interface QueueCounts {
  /** Open or in progress, and assigned to the caller. */
  mine: number;
  /** Open or in progress, and assigned to nobody. */
  unassigned: number;
  /** A running target in its last quarter of time. */
  due_soon: number;
  /** A running target past due. */
  breached: number;
  /** Open or in progress, with labels a person should check. */
  needs_triage: number;
  /** Every ticket. */
  all: number;
}

/** A reply on a ticket's thread, or an internal note between staff. */
export interface Comment {
  id: number;
  ticket_id: number;
  author_id: number | null;
  author_name: string | null;
  author_is_staff: boolean;
  body: string;
  visibility: Visibility;
  /** Missing from servers that predate the email channel: read as `web`. */
  via?: CommentChannel;
  /** RFC 3339, UTC */
  created_at: string;
}

export interface NewComment {
  body: string;
  visibility?: Visibility;
}

export type EventActorKind = 'user' | 'system' | 'classifier';

/**
 * One line of a ticket's history. `kind` is open-ended on purpose: a kind this build does not
 * know is still shown, in plain words.
 */
export interface TicketEvent {
  id: number;
  ticket_id: number;
  kind: string;
  actor_kind: EventActorKind;
  actor_id: number | null;
  actor_name: string | null;
  from: string | null;
  to: string | null;
  from_name: string | null;
  to_name: string | null;
  comment_id: number | null;
  visibility: Visibility;
  /** RFC 3339, UTC; for `sla_breached`, when the target was due. */
  created_at: string;
}

/** `GET /api/agents/`: who tickets can be assigned to (enabled agents and admins). */
export interface Agent {
  id: number;
  name: string;
  email: string;
  role: Role;
}

export interface SlaTargets {
  first_response_minutes: number;
  resolution_minutes: number;
}

/** `GET`/`PUT /api/sla-policy/`: the targets for each priority. */
export type SlaPolicy = Record<Priority, SlaTargets>;

export type ClassificationSource = 'llm' | 'fallback';

export interface Classification {
  suggested_category: Category;
  suggested_priority: Priority;
  source: ClassificationSource;
  confidence: LabelConfidence;
  sentiment: Sentiment;
  language: string | null;
}

/** A ticket like some text or like another ticket, among those the caller may see. */
export interface SimilarTicket {
  id: number;
  title: string;
  status: Status;
  /** RFC 3339, UTC */
  created_at: string;
  /** From 0 to 1. */
  similarity: number;
}

/** `GET /api/tickets/assist/`: whether a language model can draft replies and summaries. */
export interface AssistAvailability {
  available: boolean;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  /** RFC 3339, UTC */
  created_at: string;
}

/** `GET /api/me`: the caller's account and their own settings. */
export interface Me extends User {
  /** Staff only: a mail about every new ticket. */
  notify_new_tickets: boolean;
}

/** `PUT /api/me/notifications/`, and what it answers. */
export interface NotificationSettings {
  new_tickets: boolean;
}

/** What signing in, signing up and refreshing answer. */
export interface AuthSession {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds the access token is valid. */
  expires_in: number;
  user: User;
}

export interface OidcProvider {
  issuer: string;
  client_id: string;
  /** For "Sign in with …". */
  name: string;
}

/** `GET /api/auth/methods`: which ways of signing in this server offers. */
export interface SignInMethods {
  builtin: boolean;
  signup: boolean;
  public_submission: boolean;
  oidc: OidcProvider | null;
}

export interface PasswordSignIn {
  email: string;
  password: string;
}

export interface NewAccount {
  email: string;
  name: string;
  password: string;
}

/** An account an admin makes: a requester unless a role is given. */
export interface Invitation {
  email: string;
  name: string;
  role?: Role;
  password?: string;
}

export type UserChanges = Partial<Pick<User, 'name' | 'role' | 'disabled'>>;

/** `GET`/`PUT /api/mail/settings/`: what mail goes out as, and how the outbox stands. Admins only. */
export interface MailSettings {
  /** Null until an admin (or `MAIL_SUPPORT_ADDRESS`) sets one: no mail goes out without it. */
  support_address: string | null;
  sender_name: string;
  transport: MailTransport;
  /** The shape of a ticket's reply address, e.g. `support+<token>@example.com`; null without a support address. */
  reply_address_example: string | null;
  queued: number;
  failed: number;
}

export type MailSettingsChanges = Pick<MailSettings, 'support_address' | 'sender_name'>;

/**
 * One mail in the outbox. `template` is open-ended like an event's `kind`: one this build does
 * not know is still shown, by its name.
 */
export interface OutboxMail {
  id: number;
  ticket_id: number;
  template: string;
  to_address: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  /** RFC 3339, UTC */
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
}

/** One received mail and what became of it. `reason` is open-ended, like `template`. */
export interface InboundMail {
  id: number;
  from_address: string;
  from_name: string | null;
  subject: string;
  /** The text body; null when the mail had none. */
  body: string | null;
  /** RFC 3339, UTC */
  received_at: string;
  status: InboundStatus;
  reason: string | null;
  /** The ticket it made or was added to, once accepted. */
  ticket_id: number | null;
}

export function isCategory(value: unknown): value is Category {
  return (CATEGORIES as readonly unknown[]).includes(value);
}

export function isPriority(value: unknown): value is Priority {
  return (PRIORITIES as readonly unknown[]).includes(value);
}

export function isStatus(value: unknown): value is Status {
  return (STATUSES as readonly unknown[]).includes(value);
}

/** Agents and admins work every ticket; a requester sees their own. */
export function isStaff(user: Pick<User, 'role'>): boolean {
  return user.role === 'agent' || user.role === 'admin';
}
