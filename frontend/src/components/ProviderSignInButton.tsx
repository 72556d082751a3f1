import { useProviderSignIn } from '../auth/OidcSession';
import { ErrorAlert } from './ui/Alert';
import { Spinner } from './ui/Spinner';
import { secondaryButtonClass } from './ui/styles';

/** "Sign in with …": off to the OpenID provider and back. */
export function ProviderSignInButton({ name }: { name: string }) {
  const provider = useProviderSignIn();
  return (
    <div className="space-y-3">
      <button type="button" onClick={provider.signIn} disabled={provider.busy} className={`${secondaryButtonClass} w-full`}>
        {provider.busy && <Spinner />}
        Sign in with {name}
      </button>
      {provider.error && <ErrorAlert title={`Signing in with ${name} failed`}>{provider.error}</ErrorAlert>}
    </div>
  );
}
