import { greeting, layout, type ComposeMail } from '../message.ts';

/**
 * A sign-up with an address that already has an account creates nothing and answers the same as any
 * other (so the answer does not tell whether the address has an account); its owner hears of it here.
 */
export const signUpAttemptMail: ComposeMail = async (event, ctx) => {
  if (event.type !== 'SignUpAttempted') return [];
  const user = await ctx.recipient(event.stream.slice('user-'.length));
  if (!user) return [];
  return [
    {
      messageId: `${event.eventId}.sign-up-attempt`,
      to: user.email,
      subject: 'Someone tried to sign up to Cloudventory with your address',
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: [
          'Someone tried to create a Cloudventory account with this e-mail address, which already has one. No account was created and nothing about yours changed.',
          `If it was you, sign in instead; if you have forgotten your password, reset it at ${ctx.publicUrl}/forgot-password.`,
        ],
        action: { label: 'Sign in', url: `${ctx.publicUrl}/login` },
        footer: 'If it was not you, you need not do anything: your account is as it was.',
      }),
    },
  ];
};
