import type { FormEvent } from 'react';

import { errorDetail, type FieldErrors } from '../api/errors';
import { usePasswordSignIn } from '../api/queries/usePasswordSignIn';
import { useFormFields } from '../hooks/useFormFields';
import { ErrorAlert } from './ui/Alert';
import { SubmitButton } from './ui/SubmitButton';
import { TextField } from './ui/TextField';

export function PasswordSignInForm() {
  const form = useFormFields({ email: '', password: '' });
  const signIn = usePasswordSignIn();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email, password } = form.values;
    const missing: FieldErrors = {
      ...(email.trim() ? {} : { email: ['Please enter your email address.'] }),
      ...(password ? {} : { password: ['Please enter your password.'] }),
    };
    form.setErrors(missing);
    if (Object.keys(missing).length === 0) signIn.mutate({ email: email.trim(), password });
  }

  return (
    <form onSubmit={handleSubmit} noValidate aria-label="Sign in with email" className="space-y-4">
      <TextField label="Email" type="email" autoComplete="username" required {...form.bind('email')} />
      <TextField label="Password" type="password" autoComplete="current-password" required {...form.bind('password')} />
      {signIn.isError && <ErrorAlert title="Could not sign in">{errorDetail(signIn.error)}</ErrorAlert>}
      <SubmitButton pending={signIn.isPending} label="Sign in" pendingLabel="Signing in…" className="w-full" />
    </form>
  );
}
