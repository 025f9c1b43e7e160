import { parseEventOf } from '../../../domain/eventsourcing/registry.ts';
import { layout, greeting, type ComposeMail } from '../message.ts';

const ASKING_FOR_VERIFICATION = ['UserRegistered', 'VerificationMailRequested'] as const;

/** After sign-up, and when asked again: the link that verifies the address. */
export const verificationMail: ComposeMail = async (event, ctx) => {
  const data = parseEventOf(event, ASKING_FOR_VERIFICATION)?.data;
  if (!data) return [];
  const userId = event.stream.slice('user-'.length);
  // An invited user's address is proven by the invitation: nothing to verify, no mail.
  if (!data.verification) return [];
  const user = await ctx.recipient(userId);
  const token = await ctx.vault.open(userId, data.verification.token);
  if (!user || !token) return [];
  const url = `${ctx.publicUrl}/verify-email?user=${encodeURIComponent(userId)}&token=${encodeURIComponent(token)}`;
  return [
    {
      messageId: `${event.eventId}.verify`,
      to: user.email,
      subject: 'Verify your e-mail address for Cloudventory',
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: ['Please confirm that this is your e-mail address; the link then signs you in. It works once and expires in 24 hours.'],
        action: { label: 'Verify my e-mail address', url },
        footer: 'If you did not create a Cloudventory account, ignore this mail.',
      }),
    },
  ];
};
