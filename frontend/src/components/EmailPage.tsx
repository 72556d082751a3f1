import { useCurrentUser } from '../auth/SessionProvider';
import { FailedMailSection } from './FailedMailSection';
import { HeldMailSection } from './HeldMailSection';
import { MailSettingsSection } from './MailSettingsForm';
import { MyNotificationsSection } from './MyNotificationsSection';

/** Staff: held mail to decide on and their own notifications; admins also the settings and failed mail. */
export function EmailPage() {
  const admin = useCurrentUser().role === 'admin';
  return (
    <main className="mx-auto grid max-w-7xl items-start gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[minmax(0,400px)_minmax(0,1fr)]">
      <div className="space-y-6">
        {admin && <MailSettingsSection />}
        <MyNotificationsSection />
      </div>
      <div className="min-w-0 space-y-8">
        <HeldMailSection />
        {admin && <FailedMailSection />}
      </div>
    </main>
  );
}
