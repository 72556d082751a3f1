// The app's pages and their addresses (the server and nginx answer every one with index.html),
// and the way between the list and a ticket, which keeps the list's view.
import { navigate } from './hooks/usePath';

export const TICKETS_PATH = '/';
export const USERS_PATH = '/users';
export const EMAIL_PATH = '/email';
/** Where the link in a new-ticket mail leads, with its token in the fragment: `/unsubscribe#<token>`. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

export function ticketPath(id: number): string {
  return `/tickets/${id}`;
}

/** The ticket a `/tickets/:id` path is about, or null for any other path. */
export function ticketIdFromPath(path: string): number | null {
  const match = /^\/tickets\/([1-9]\d{0,15})\/?$/.exec(path);
  return match ? Number(match[1]) : null;
}

/** Kept with the history entries: the list's last selection, a ticket page's list. */
interface HistoryState {
  selectedTicketId?: number;
  fromList?: string;
}

function historyState(): HistoryState {
  const state: unknown = window.history.state;
  return typeof state === 'object' && state !== null ? (state as HistoryState) : {};
}

/** The ticket the list had selected when the user last left it from this history entry. */
export function rememberedSelection(): number | null {
  return historyState().selectedTicketId ?? null;
}

/** Opens a ticket's page from the list, remembering the list's address and which ticket it was. */
export function openTicketFromList(id: number): void {
  const { pathname, search } = window.location;
  window.history.replaceState({ ...historyState(), selectedTicketId: id }, '');
  navigate(ticketPath(id), { state: { fromList: `${pathname}${search}` } satisfies HistoryState });
}

/** Where "back to the list" goes: the list the ticket was opened from, with its filters, or the list. */
export function listAddress(): string {
  return historyState().fromList ?? TICKETS_PATH;
}

/** Back to the list: the browser's own back when the ticket was opened from it, so forward works too. */
export function backToList(): void {
  if (historyState().fromList) window.history.back();
  else navigate(TICKETS_PATH);
}
