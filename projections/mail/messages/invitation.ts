import { parseEventOf } from '../../../domain/eventsourcing/registry.ts';
import { invitationSubject } from '../../../domain/organizations/invitation.ts';
import type { Role } from '../../../domain/organizations/roles.ts';
import { layout, greeting, type ComposeMail } from '../message.ts';

const asRole: Record<Role, string> = { owner: 'an owner', admin: 'an admin', member: 'a member', viewer: 'a viewer' };

/** The invitee's link to join: their address and the token are sealed for the invitation, as they have no account (yet). */
export const invitationMail: ComposeMail = async (event, ctx) => {
  const data = parseEventOf(event, ['MemberInvited'])?.data;
  if (!data) return [];
  const orgId = event.stream.slice('org-'.length);
  const subject = invitationSubject(data.invitationId);
  const [to, token] = await Promise.all([ctx.vault.open(subject, data.email), ctx.vault.open(subject, data.token)]);
  if (!to || !token) return [];
  const inviter = await ctx.recipient(data.invitedBy);
  const who = inviter?.firstName ?? inviter?.email ?? 'A colleague';
  const url = `${ctx.publicUrl}/invitations/accept?org=${encodeURIComponent(orgId)}&invitation=${encodeURIComponent(data.invitationId)}&token=${encodeURIComponent(token)}`;
  return [
    {
      messageId: `${event.eventId}.invitation`,
      to,
      subject: `${who} invited you to ${data.organizationName} on Cloudventory`,
      ...layout({
        greeting: greeting(null),
        paragraphs: [
          `${who} invited you to join ${data.organizationName} on Cloudventory as ${asRole[data.role]}.`,
          'The link works once and expires in 7 days. If you have no Cloudventory account yet, you can create one on the way.',
        ],
        action: { label: `Join ${data.organizationName}`, url },
        footer: 'If you did not expect this invitation, ignore this mail; nothing happens unless you accept it.',
      }),
    },
  ];
};
