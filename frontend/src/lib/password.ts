import { charCount } from './text';

// The server's rule for a new password (OWASP's floor without composition rules, and a ceiling
// that keeps hashing bounded).
export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 128;
export const PASSWORD_HINT = `${PASSWORD_MIN_CHARS} to ${PASSWORD_MAX_CHARS} characters.`;

/** The server's password rule, checked before sending; '' when it is fine. */
export function passwordProblem(password: string): string {
  const length = charCount(password);
  if (length < PASSWORD_MIN_CHARS) return `Use at least ${PASSWORD_MIN_CHARS} characters.`;
  if (length > PASSWORD_MAX_CHARS) return `Use at most ${PASSWORD_MAX_CHARS} characters.`;
  return '';
}
