interface FieldErrorProps {
  id: string;
  messages: string[];
}

/** Messages for one form field; reference `id` from the field's aria-describedby. */
export function FieldError({ id, messages }: FieldErrorProps) {
  if (messages.length === 0) return null;
  return (
    <p id={id} className="mt-1 text-sm text-rose-700">
      {messages.join(' ')}
    </p>
  );
}
