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

export type Category = (typeof CATEGORIES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Status = (typeof STATUSES)[number];
export type Role = (typeof ROLES)[number];
export type Visibility = (typeof VISIBILITIES)[number];
export type SlaState = (typeof SLA_STATES)[number];
export type SlaTarget = (typeof SLA_TARGETS)[number];

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

export const TITLE_MAX_CHARS = 200;
export const DESCRIPTION_MAX_CHARS = 10_000;
export const COMMENT_MAX_CHARS = 10_000;
/** The longest SLA target the server takes: a year, in minutes. */
export const SLA_MAX_MINUTES = 525_600;

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
