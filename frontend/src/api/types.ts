// The vocabulary of the API: the server's Category, Priority, Status and Role enums. Every
// option list, badge and label in the UI derives from these arrays, so a new value is added here
// once; the browser journey (e2e/run.mjs) compares the selects built from them with the enums of
// the server's /api/openapi.json, so a value added on one side only fails it.

export const CATEGORIES = ['billing', 'technical', 'account', 'general'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export const ROLES = ['requester', 'agent', 'admin'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Status = (typeof STATUSES)[number];
export type Role = (typeof ROLES)[number];

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

export const TITLE_MAX_CHARS = 200;
export const DESCRIPTION_MAX_CHARS = 10_000;

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

export type TicketPatch = Partial<Pick<Ticket, 'status' | 'category' | 'priority'>>;

export interface TicketFilters {
  category?: Category;
  priority?: Priority;
  status?: Status;
  search?: string;
}

export interface TicketPage {
  tickets: Ticket[];
  /** The `rel="next"` URL of the `Link` header, or null on the last page. */
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
}

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
