import type { DraftField, DraftFields, Sender } from '../hooks/useTicketDraft';
import { TextField } from './ui/TextField';

interface RequesterFieldsProps {
  sender: Sender;
  /** Staff may file a ticket for someone else; a requester files their own. */
  staff: boolean;
  fields: DraftFields;
  /** The control's name, which is the API's name for what it holds. */
  nameOf: (field: DraftField) => string;
  errorsFor: (field: DraftField) => string[];
  onEdit: (change: Partial<DraftFields>) => void;
}

/**
 * Who the ticket is for, at the top of the ticket form: a visitor without an account gives their
 * own email and name (where the reply goes); staff may name someone to file it for; a requester
 * signed in needs nothing, since the token says who they are.
 */
export function RequesterFields({ sender, staff, fields, nameOf, errorsFor, onEdit }: RequesterFieldsProps) {
  if (sender === 'visitor') {
    return (
      <>
        <TextField
          label="Your email"
          name={nameOf('submitterEmail')}
          type="email"
          autoComplete="email"
          required
          hint="We will reply to this address."
          value={fields.submitterEmail}
          errors={errorsFor('submitterEmail')}
          onChange={(submitterEmail) => onEdit({ submitterEmail })}
        />
        <TextField
          label="Your name"
          name={nameOf('submitterName')}
          autoComplete="name"
          required
          value={fields.submitterName}
          errors={errorsFor('submitterName')}
          onChange={(submitterName) => onEdit({ submitterName })}
        />
      </>
    );
  }
  if (!staff) return null;
  return (
    <TextField
      label="On behalf of (email)"
      name={nameOf('requesterEmail')}
      type="email"
      autoComplete="off"
      hint="Leave empty to file the ticket as yourself."
      value={fields.requesterEmail}
      errors={errorsFor('requesterEmail')}
      onChange={(requesterEmail) => onEdit({ requesterEmail })}
    />
  );
}
