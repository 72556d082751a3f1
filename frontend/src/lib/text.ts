/** Length in characters (code points), as the database counts a varchar — not UTF-16 units. */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
