import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasCode, ConflictError, ValidationError } from '../../domain/errors.ts';
import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import { emailReservation, emailReservationStream } from '../../domain/identity/email-reservation.ts';
import { assertAcceptablePassword } from '../../domain/identity/password-policy.ts';
import { INVITATION_TOKEN_DAYS } from '../../domain/identity/tokens.ts';
import { user, userStream } from '../../domain/identity/user.ts';
import { assertInvitationUsable, invitationSubject, isExpired } from '../../domain/organizations/invitation.ts';
import { organization, organizationStream, type OrganizationState } from '../../domain/organizations/organization.ts';
import { roles } from '../../domain/organizations/roles.ts';
import type { UserDocument } from '../../projections/identity/identity.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { organizationQueries } from '../../projections/organizations/queries.ts';
import { hashPassword } from '../../infra/passwords.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { signIn } from '../sessions.ts';
import { hashToken, issueToken } from '../tokens.ts';
import { loadUser } from '../users.ts';
import { onOrganization } from '../organizations/commands.ts';

const DAY = 24 * 3600_000;

const invitationView = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(roles),
  invitedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});
const link = { orgId: s.id, invitationId: s.id, token: s.token };

/** How an inviter is shown to others: their name, or their address when they gave none. */
const displayName = (person: UserDocument | undefined) => (person ? [person.firstName, person.lastName].filter(Boolean).join(' ') || person.email : 'A former member');

/** An organisation's current state from its stream: an invitation link is checked against the source of truth. */
async function loadOrganization(ctx: AppContext, orgId: string): Promise<OrganizationState> {
  return (await aggregateStream(ctx.events, organization, organizationStream(orgId))).state;
}

/** A link to an organisation that does not exist is as invalid as a wrong token, and says no more. */
const asInvalidLink = (error: unknown): never => {
  if (hasCode(error, 'NOT_FOUND')) throw new ValidationError('This invitation link is not valid');
  throw error;
};

/** Inviting people by e-mail, withdrawing invitations, and accepting them (signed in, or by signing up). */
export function invitationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const organizations = organizationQueries(ctx.documents);
  const identity = identityQueries(ctx.documents);

  return async (app) => {
    app.get(
      '/api/orgs/:orgId/invitations',
      {
        config: { permission: 'members:invite' },
        schema: { tags: ['invitations'], summary: "The organisation's invitations, newest first", params: z.object({ orgId: s.id }), response: { 200: z.object({ invitations: z.array(invitationView) }) } },
      },
      async (request) => {
        const now = ctx.now();
        const found = await organizations.invitationsOf(request.params.orgId);
        const invitations = await Promise.all(
          found.map(async (i) => ({
            id: i._id,
            email: i.email,
            role: i.role,
            invitedBy: displayName(await identity.user(i.invitedBy)),
            createdAt: i.createdAt,
            expiresAt: i.expiresAt,
            status: isExpired(i, now) ? ('expired' as const) : i.status,
          })),
        );
        return { invitations };
      },
    );

    app.post(
      '/api/orgs/:orgId/invitations',
      {
        config: { permission: 'members:invite' },
        schema: {
          tags: ['invitations'],
          summary: 'Invite someone by e-mail (the link works once, for 7 days)',
          params: z.object({ orgId: s.id }),
          body: z.object({ email: s.email, role: z.enum(roles) }),
          response: { 201: z.object({ invitationId: z.string() }) },
        },
      },
      async (request, reply) => {
        const { orgId } = request.params;
        const inviterId = request.auth!.userId;
        const emailHash = ctx.emailIndex(request.body.email);
        const invitationId = ctx.newId();
        // The invitee has no account (or none of ours to use): their address and link belong to the invitation.
        const subject = invitationSubject(invitationId);
        const issued = await issueToken(ctx, subject, INVITATION_TOKEN_DAYS * DAY);
        const invited = await onOrganization(ctx, request, orgId, {
          type: 'InviteMember',
          actorId: inviterId,
          invitationId,
          email: await ctx.vault.seal(subject, request.body.email),
          emailHash,
          role: request.body.role,
          invitation: issued.issued,
          inviterVerified: (await identity.user(inviterId))?.verified === true,
          existingUserId: (await identity.userByEmailHash(emailHash))?._id,
          now: ctx.now(),
        });
        // A retry under the same Idempotency-Key is answered with the invitation its first run recorded.
        const recorded = invited.events.find((event) => event.type === 'MemberInvited');
        return reply.status(201).send({ invitationId: recorded?.data.invitationId ?? invitationId });
      },
    );

    app.delete(
      '/api/orgs/:orgId/invitations/:invitationId',
      {
        config: { permission: 'members:invite' },
        schema: { tags: ['invitations'], summary: 'Withdraw an invitation; its link stops working', params: z.object({ orgId: s.id, invitationId: s.id }), response: { 204: z.null() } },
      },
      async (request, reply) => {
        await onOrganization(ctx, request, request.params.orgId, { type: 'RevokeInvitation', actorId: request.auth!.userId, invitationId: request.params.invitationId });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/invitations/preview',
      {
        preHandler: rateLimited(app, 'emailToken'),
        config: { access: 'public' },
        schema: {
          tags: ['invitations'],
          summary: 'What an invitation link offers, for the page that accepts it',
          querystring: z.object({ org: s.id, invitation: s.id, token: s.token }),
          response: { 200: z.object({ organizationName: z.string(), role: z.enum(roles), email: z.string(), invitedBy: z.string(), existingAccount: z.boolean() }) },
        },
      },
      async (request) => {
        const { org, invitation: invitationId, token } = request.query;
        const found = await organizations.invitation(invitationId);
        const invitation = assertInvitationUsable(found?.orgId === org ? found : undefined, hashToken(token), ctx.now());
        const [organizationDocument, inviter, account] = await Promise.all([
          organizations.organization(org),
          identity.user(invitation.invitedBy),
          identity.userByEmailHash(invitation.emailHash),
        ]);
        return {
          organizationName: organizationDocument?.name ?? '',
          role: invitation.role,
          email: invitation.email,
          invitedBy: displayName(inviter),
          existingAccount: account !== undefined,
        };
      },
    );

    app.post(
      '/api/invitations/accept',
      {
        preHandler: rateLimited(app, 'emailToken', (request) => request.auth?.userId),
        schema: { tags: ['invitations'], summary: 'Join an organisation with an invitation sent to your address', body: z.object(link), response: { 204: z.null() } },
      },
      async (request, reply) => {
        const { orgId, invitationId, token } = request.body;
        const userId = request.auth!.userId;
        // The account's address from its stream: a just-changed address must count, not a lagging read model.
        const { emailHash } = await loadUser(ctx, userId);
        await onOrganization(ctx, request, orgId, { type: 'AcceptInvitation', invitationId, tokenHash: hashToken(token), userId, emailHash: emailHash ?? '', now: ctx.now() }).catch(
          asInvalidLink,
        );
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/signup-invited',
      {
        preHandler: rateLimited(app, 'signUp'),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Create an account from an invitation, join its organisation, and sign in',
          body: z.object({ ...link, firstName: s.personName.optional(), lastName: s.personName.optional(), password: s.password, timezone: s.timezone }),
          response: { 201: z.object({ userId: z.string(), orgId: z.string() }) },
        },
      },
      async (request, reply) => {
        const { orgId, invitationId, token, firstName, lastName, timezone } = request.body;
        assertAcceptablePassword(request.body.password);
        const now = ctx.now();
        const tokenHash = hashToken(token);
        // Checked before anything is created; AcceptInvitation checks again when it joins.
        const invitation = assertInvitationUsable((await loadOrganization(ctx, orgId)).invitations[invitationId], tokenHash, now);
        const email = await ctx.vault.open(invitationSubject(invitationId), invitation.email);
        if (!email) throw new ValidationError('This invitation link is not valid');

        const userId = ctx.newId();
        const { emailHash } = invitation;
        await execute(ctx, request, { userId }, emailReservationStream(emailHash), emailReservation, { type: 'ReserveEmail', userId }).catch((error: unknown) => {
          if (hasCode(error, 'CONFLICT')) throw new ConflictError('An account with this e-mail address already exists; sign in to accept the invitation');
          throw error;
        });
        try {
          await execute(ctx, request, { userId }, userStream(userId), user, {
            type: 'RegisterInvitedUser',
            userId,
            email: await ctx.vault.seal(userId, email),
            emailHash,
            ...(firstName ? { firstName: await ctx.vault.seal(userId, firstName) } : {}),
            ...(lastName ? { lastName: await ctx.vault.seal(userId, lastName) } : {}),
            timezone,
            passwordHash: await hashPassword(request.body.password),
          });
        } catch (error) {
          // Nothing else holds the address yet: give it back so a retry can succeed.
          await execute(ctx, request, { userId }, emailReservationStream(emailHash), emailReservation, { type: 'ReleaseEmail', userId });
          throw error;
        }
        const accepted = await execute(ctx, request, { userId, orgId }, organizationStream(orgId), organization, { type: 'AcceptInvitation', invitationId, tokenHash, userId, emailHash, now });
        await projected(ctx, accepted.position);
        await signIn(ctx, request, reply, userId, false);
        return reply.status(201).send({ userId, orgId });
      },
    );
  };
}
