import { createContext, useContext, useEffect, useReducer, type ReactNode } from 'react';

import type { CreateTicketVariables } from '../api/queries/useCreateTicket';
import { isCategory, isPriority, type Category, type Classification, type NewTicket, type Priority } from '../api/types';
import { newIdempotencyKey } from '../lib/idempotencyKey';

export interface DraftFields {
  title: string;
  description: string;
  /** '' leaves it to the server's classifier. */
  category: Category | '';
  priority: Priority | '';
  /** Staff filing for someone else; '' files it as the signed-in user. */
  requesterEmail: string;
  /** A visitor without an account: where the reply goes, and to whom. */
  submitterEmail: string;
  submitterName: string;
}

/**
 * Who sends the draft: a signed-in account (the bearer token says who; staff may name someone
 * else), or a visitor without one, who names themself. Each sends only its own requester fields,
 * so a draft begun on one side of signing in is sent correctly from the other.
 */
export type Sender = 'account' | 'visitor';

export type DraftField = keyof DraftFields;

interface DraftState {
  fields: DraftFields;
  /** Picked by the user, so a suggestion leaves it alone and it is sent. */
  userChose: { category: boolean; priority: boolean };
  /** One per draft: every attempt to submit this draft sends it (see `createTicket`). */
  idempotencyKey: string;
  /** The body last sent under `idempotencyKey`, whose outcome may be unknown; null if none. */
  sentBody: string | null;
}

type DraftAction =
  | { type: 'edit'; fields: Partial<DraftFields>; newKey: string }
  | { type: 'suggest'; suggestion: Classification }
  | { type: 'send'; idempotencyKey: string; body: string }
  | { type: 'reset'; newKey: string };

const EMPTY_FIELDS: DraftFields = {
  title: '',
  description: '',
  category: '',
  priority: '',
  requesterEmail: '',
  submitterEmail: '',
  submitterName: '',
};

function emptyDraft(idempotencyKey: string): DraftState {
  return {
    fields: EMPTY_FIELDS,
    userChose: { category: false, priority: false },
    idempotencyKey,
    sentBody: null,
  };
}

function reduce(state: DraftState, action: DraftAction): DraftState {
  switch (action.type) {
    case 'edit':
      return {
        fields: { ...state.fields, ...action.fields },
        userChose: {
          category: state.userChose.category || 'category' in action.fields,
          priority: state.userChose.priority || 'priority' in action.fields,
        },
        // A changed draft is another request: reusing the key would be refused (422).
        idempotencyKey: action.newKey,
        sentBody: null,
      };
    case 'suggest': {
      // A sent draft keeps its body until the user changes it: its first attempt may have
      // created the ticket, and only an identical resubmission is answered with that ticket.
      if (state.sentBody !== null) return state;
      const { suggested_category, suggested_priority } = action.suggestion;
      const fields = {
        ...state.fields,
        category: state.userChose.category ? state.fields.category : suggested_category,
        priority: state.userChose.priority ? state.fields.priority : suggested_priority,
      };
      return { ...state, fields };
    }
    case 'send':
      return { ...state, idempotencyKey: action.idempotencyKey, sentBody: action.body };
    case 'reset':
      return emptyDraft(action.newKey);
  }
}

function requesterOf(fields: DraftFields, sender: Sender): Pick<NewTicket, 'requester_email' | 'requester_name'> {
  if (sender === 'visitor') {
    return { requester_email: fields.submitterEmail.trim(), requester_name: fields.submitterName.trim() };
  }
  const onBehalfOf = fields.requesterEmail.trim();
  return onBehalfOf ? { requester_email: onBehalfOf } : {};
}

/**
 * The request for the draft. A label shown from a suggestion is only a preview: unless the user
 * picked it, it is left out, so the server classifies the ticket itself and records how (by
 * whom, how sure, the tone and the language) — a label sent is recorded as a person's choice.
 */
function toNewTicket({ fields, userChose }: Pick<DraftState, 'fields' | 'userChose'>, sender: Sender): NewTicket {
  const { title, description, category, priority } = fields;
  return {
    title: title.trim(),
    description: description.trim(),
    ...(userChose.category && category ? { category } : {}),
    ...(userChose.priority && priority ? { priority } : {}),
    ...requesterOf(fields, sender),
  };
}

// The draft outlives the page that shows it: a session that ends mid-sentence sends the user to
// sign in (through an OpenID provider, a full-page redirect), and they come back to their
// words. A draft is no secret; sessionStorage keeps it to this tab, and signing out clears it.
const STORAGE_KEY = 'helpdesk.ticket-draft';

function isDraftState(value: unknown): value is DraftState {
  if (typeof value !== 'object' || value === null) return false;
  const { fields, userChose, idempotencyKey, sentBody } = value as Partial<DraftState>;
  return (
    typeof fields?.title === 'string' &&
    typeof fields.description === 'string' &&
    typeof fields.requesterEmail === 'string' &&
    typeof fields.submitterEmail === 'string' &&
    typeof fields.submitterName === 'string' &&
    (fields.category === '' || isCategory(fields.category)) &&
    (fields.priority === '' || isPriority(fields.priority)) &&
    typeof userChose?.category === 'boolean' &&
    typeof userChose.priority === 'boolean' &&
    typeof idempotencyKey === 'string' &&
    (sentBody === null || typeof sentBody === 'string')
  );
}

function loadDraft(): DraftState {
  try {
    const stored: unknown = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    // A draft kept by an earlier build lacks the fields added since: they start empty.
    const withAllFields =
      typeof stored === 'object' && stored !== null && 'fields' in stored
        ? { ...stored, fields: { ...EMPTY_FIELDS, ...(stored.fields as object) } }
        : stored;
    if (isDraftState(withAllFields)) return withAllFields;
  } catch {
    // Storage off or its content unreadable: start afresh.
  }
  return emptyDraft(newIdempotencyKey());
}

function saveDraft(state: DraftState) {
  try {
    const { title, description, requesterEmail, submitterEmail, submitterName } = state.fields;
    if (title || description || requesterEmail || submitterEmail || submitterName) {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } else {
      window.sessionStorage.removeItem(STORAGE_KEY);
    }
  } catch {
    // Without storage the draft still lives in memory for as long as the page does.
  }
}

type DraftContextValue = [DraftState, (action: DraftAction) => void];

const DraftContext = createContext<DraftContextValue | null>(null);

/** Holds the ticket being written above everything that may unmount the form. */
export function TicketDraftProvider({ children }: { children: ReactNode }) {
  const [state, dispatch] = useReducer(reduce, undefined, loadDraft);
  useEffect(() => saveDraft(state), [state]);
  return <DraftContext.Provider value={[state, dispatch]}>{children}</DraftContext.Provider>;
}

/**
 * The ticket being written, and the idempotency key that makes submitting it safe to repeat:
 * the key is made with the draft, kept through every retry and resubmission of it, and replaced
 * when the user changes a field or the draft is reset after a success.
 */
export function useTicketDraft() {
  const context = useContext(DraftContext);
  if (!context) throw new Error('useTicketDraft needs a TicketDraftProvider above it');
  const [state, dispatch] = context;

  return {
    fields: state.fields,
    /** Something was written that signing in again should not lose. */
    hasContent: Boolean(state.fields.title.trim() || state.fields.description.trim()),
    /** A change by the user; a chosen category or priority is kept from then on. */
    edit: (fields: Partial<DraftFields>) => dispatch({ type: 'edit', fields, newKey: newIdempotencyKey() }),
    /** Shows the suggestion in what the user has not chosen (still not sent), unless the draft was already sent. */
    suggest: (suggestion: Classification) => dispatch({ type: 'suggest', suggestion }),
    /** What to submit now; from here the draft's body stays as sent until the user edits it. */
    send: (sender: Sender): CreateTicketVariables => {
      const ticket = toNewTicket(state, sender);
      const body = JSON.stringify(ticket);
      // The same key again, unless the body changed without an edit (a suggestion applied after
      // the render this click saw, before its send): one key never goes out with two bodies.
      const unchanged = state.sentBody === null || state.sentBody === body;
      const idempotencyKey = unchanged ? state.idempotencyKey : newIdempotencyKey();
      dispatch({ type: 'send', idempotencyKey, body });
      return { ticket, idempotencyKey };
    },
    reset: () => dispatch({ type: 'reset', newKey: newIdempotencyKey() }),
  };
}
