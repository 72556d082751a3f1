import type { FormEvent } from 'react';

import { ApiError, errorDetail, type FieldErrors } from '../api/errors';
import { useSignUp } from '../api/queries/usePasswordSignIn';
import type { NewAccount } from '../api/types';
import { useFormFields } from '../hooks/useFormFields';
import { PASSWORD_HINT, passwordProblem } from '../lib/password';
import { ErrorAlert } from './ui/Alert';
import { SubmitButton } from './ui/SubmitButton';
import { TextField } from './ui/TextField';

function validate({ email, name, password }: NewAccount): FieldErrors {
  const errors: FieldErrors = {};
  if (!email.trim()) errors.email = ['Please enter your email address.'];
  if (!name.trim()) errors.name = ['Please enter your name.'];
  const problem = passwordProblem(password);
  if (problem) errors.password = [problem];
  return errors;
}

/** A requester account for oneself; it is signed in at once. */
export function SignUpForm() {
  const form = useFormFields<NewAccount>({ email: '', name: '', password: '' });
  const signUp = useSignUp();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const errors = validate(form.values);
    form.setErrors(errors);
    if (Object.keys(errors).length > 0) return;
    const { email, name, password } = form.values;
    signUp.mutate(
      { email: email.trim(), name: name.trim(), password },
      { onError: (error) => error instanceof ApiError && form.setErrors(error.fieldErrors) },
    );
  }

  const failedWithoutFields = signUp.isError && Object.keys(form.errors).length === 0;

  return (
    <form onSubmit={handleSubmit} noValidate aria-label="Create an account" className="space-y-4">
      <TextField label="Email" type="email" autoComplete="email" required {...form.bind('email')} />
      <TextField label="Name" autoComplete="name" required {...form.bind('name')} />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        hint={PASSWORD_HINT}
        {...form.bind('password')}
      />
      {failedWithoutFields && <ErrorAlert title="The account was not created">{errorDetail(signUp.error)}</ErrorAlert>}
      <SubmitButton pending={signUp.isPending} label="Create account" pendingLabel="Creating…" className="w-full" />
    </form>
  );
}
