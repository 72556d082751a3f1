/** A run of plain text, or a web address to show as a link. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Candidates only: every match is checked again with the URL parser below.
const WEB_ADDRESS = /\bhttps?:\/\/[^\s<>"]+/gi;
// Punctuation that usually ends the sentence around an address rather than the address itself.
const TRAILING = /[.,;:!?'"*]+$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Drops trailing punctuation, and closing brackets that have no opening one inside the address. */
function trimAddress(candidate: string): string {
  let address = candidate;
  for (;;) {
    const trimmed = address.replace(TRAILING, '');
    const last = trimmed.at(-1);
    if (last && CLOSERS[last]) {
      const opened = trimmed.split(CLOSERS[last]).length - 1;
      const closed = trimmed.split(last).length - 1;
      if (closed > opened) {
        address = trimmed.slice(0, -1);
        continue;
      }
    }
    if (trimmed === address) return address;
    address = trimmed;
  }
}

function isWebAddress(address: string): boolean {
  try {
    const url = new URL(address);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Splits plain text into text and http(s) addresses. Nothing else becomes a link — not
 * `javascript:`, `data:` or `mailto:` — and the text is never interpreted as markup.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plainFrom = 0;
  for (const match of text.matchAll(WEB_ADDRESS)) {
    const address = trimAddress(match[0]);
    if (!isWebAddress(address)) continue;
    const start = match.index;
    if (start > plainFrom) parts.push({ kind: 'text', text: text.slice(plainFrom, start) });
    parts.push({ kind: 'link', text: address, href: address });
    plainFrom = start + address.length;
  }
  if (plainFrom < text.length) parts.push({ kind: 'text', text: text.slice(plainFrom) });
  return parts;
}
