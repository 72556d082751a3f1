import { useNow } from '../hooks/useNow';
import { formatExact, formatRelative } from '../lib/time';

/** "5 minutes ago", with the exact local time on hover and in the markup. */
export function RelativeTime({ iso, prefix }: { iso: string; prefix?: string }) {
  const now = useNow();
  const exact = formatExact(iso);
  return (
    <time dateTime={iso} title={exact}>
      {prefix}
      {formatRelative(iso, now)}
    </time>
  );
}
