interface CharacterCountProps {
  id: string;
  count: number;
  max: number;
}

/** "17/200", in red once past the limit. */
export function CharacterCount({ id, count, max }: CharacterCountProps) {
  return (
    <span id={id} className={`text-xs tabular-nums ${count > max ? 'font-semibold text-rose-700' : 'text-slate-500'}`}>
      {count.toLocaleString()}/{max.toLocaleString()}
    </span>
  );
}
