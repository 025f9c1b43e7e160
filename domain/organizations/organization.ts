import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import type { IssuedToken } from '../identity/tokens.ts';
import { sealed, type Sealed } from '../privacy/personal-data.ts';
import { authorize, userActor } from './actor.ts';
import { assertInvitationUsable, isExpired, type InvitationStatus } from './invitation.ts';
import { canAssign, roles, type Permission, type Role } from './roles.ts';

export const organizationStream = (orgId: string) => `org-${orgId}`;

const role = z.enum(roles);
const memberRemovalReason = z.enum(['removed', 'left']);
export type MemberRemovalReason = z.infer<typeof memberRemovalReason>;

export const organizationEvents = defineEvents({
  OrganizationCreated: z.object({ orgId: z.string(), name: z.string(), timezone: z.string(), ownerId: z.string() }),
  MemberJoined: z.object({ userId: z.string(), role }),
  MemberInvited: z.object({
    invitationId: z.string(),
    email: sealed,
    emailHash: z.string(),
    role,
    tokenHash: z.string(),
    token: sealed,
    expiresAt: z.string(),
    invitedBy: z.string(),
    /** The name at the time of the invitation, so the mail says what the invitee is joining. */
    organizationName: z.string(),
  }),
  InvitationRevoked: z.object({ invitationId: z.string() }),
  InvitationAccepted: z.object({ invitationId: z.string(), userId: z.string() }),
  MemberRoleChanged: z.object({ userId: z.string(), role, previousRole: role }),
  MemberRemoved: z.object({ userId: z.string(), reason: memberRemovalReason }),
  OrganizationSettingsChanged: z.object({ name: z.string().optional(), requireMfa: z.boolean().optional() }),
});
export type OrganizationEvent = EventOf<typeof organizationEvents>;

/**
 * Every command a member issues names them (`actorId`); their role comes from the organisation's own
 * members, never from the caller.
 */
export type OrganizationCommand =
  | { type: 'CreateOrganization'; orgId: string; name: string; timezone: string; ownerId: string }
  | {
      type: 'InviteMember';
      actorId: string;
      invitationId: string;
      email: Sealed;
      emailHash: string;
      role: Role;
      invitation: IssuedToken;
      /** Only people who proved their own address may send mail to others in our name. */
      inviterVerified: boolean;
      /** The account that already holds the invited address, if any. */
      existingUserId?: string | undefined;
      now: Date;
    }
  | { type: 'RevokeInvitation'; actorId: string; invitationId: string }
  | { type: 'AcceptInvitation'; invitationId: string; tokenHash: string; userId: string; emailHash: string; now: Date }
  | { type: 'ChangeMemberRole'; actorId: string; userId: string; role: Role }
  | { type: 'RemoveMember'; actorId: string; userId: string }
  | { type: 'LeaveOrganization'; actorId: string }
  | {
      type: 'ChangeOrganizationSettings';
      actorId: string;
      name?: string | undefined;
      requireMfa?: boolean | undefined;
      /** Requiring MFA of everyone locks out whoever has none, starting with the one asking. */
      changerHasMfa: boolean;
    };

export interface InvitationState {
  invitationId: string;
  email: Sealed;
  emailHash: string;
  role: Role;
  tokenHash: string;
  expiresAt: string;
  invitedBy: string;
  status: InvitationStatus;
}

export interface OrganizationState {
  orgId?: string;
  name?: string;
  requireMfa: boolean;
  members: Record<string, Role>;
  invitations: Record<string, InvitationState>;
}

const withInvitation = (state: OrganizationState, invitationId: string, change: Partial<InvitationState>): OrganizationState => {
  const invitation = state.invitations[invitationId];
  return invitation ? { ...state, invitations: { ...state.invitations, [invitationId]: { ...invitation, ...change } } } : state;
};

function evolve(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case 'OrganizationCreated':
      return { ...state, orgId: event.data.orgId, name: event.data.name };
    case 'MemberJoined':
    case 'MemberRoleChanged':
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    case 'MemberRemoved': {
      const { [event.data.userId]: _gone, ...members } = state.members;
      return { ...state, members };
    }
    case 'MemberInvited': {
      const { invitationId, email, emailHash, role, tokenHash, expiresAt, invitedBy } = event.data;
      return { ...state, invitations: { ...state.invitations, [invitationId]: { invitationId, email, emailHash, role, tokenHash, expiresAt, invitedBy, status: 'pending' } } };
    }
    case 'InvitationRevoked':
      return withInvitation(state, event.data.invitationId, { status: 'revoked' });
    case 'InvitationAccepted':
      return withInvitation(state, event.data.invitationId, { status: 'accepted' });
    case 'OrganizationSettingsChanged':
      return { ...state, ...(event.data.name === undefined ? {} : { name: event.data.name }), ...(event.data.requireMfa === undefined ? {} : { requireMfa: event.data.requireMfa }) };
    default:
      return state;
  }
}

const owners = (state: OrganizationState) => Object.values(state.members).filter((role) => role === 'owner').length;

function memberRole(state: OrganizationState, userId: string): Role {
  const role = state.members[userId];
  if (!role) throw new NotFoundError('No such member in this organisation');
  return role;
}

/** The actor's role as the organisation records it, if it has the permission; a non-member learns not even that the organisation exists. */
function actingRole(state: OrganizationState, actorId: string, permission: Permission): Role {
  const role = state.members[actorId];
  authorize(userActor(actorId, role), { permission }, 'No such organisation');
  return role!; // a non-member was refused above
}

const ownersOnly = (what: string) => new AppError('FORBIDDEN', `Only an owner can ${what}`);

function decide(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  if (command.type === 'CreateOrganization') {
    if (state.orgId) throw new ConflictError('This organisation already exists');
    const name = command.name.trim();
    if (!name) throw new ValidationError('The organisation needs a name');
    return [
      { type: 'OrganizationCreated', data: { orgId: command.orgId, name, timezone: command.timezone, ownerId: command.ownerId } },
      { type: 'MemberJoined', data: { userId: command.ownerId, role: 'owner' } },
    ];
  }
  if (!state.orgId) throw new NotFoundError('No such organisation');

  switch (command.type) {
    case 'InviteMember': {
      const inviterRole = actingRole(state, command.actorId, 'members:invite');
      if (!command.inviterVerified) throw new AppError('FORBIDDEN', 'Please verify your e-mail address before inviting others');
      if (!canAssign(inviterRole, command.role)) throw ownersOnly('invite an owner');
      if (command.existingUserId && state.members[command.existingUserId]) throw new ConflictError('This person is already a member of the organisation');
      const pending = Object.values(state.invitations).some((i) => i.emailHash === command.emailHash && i.status === 'pending' && !isExpired(i, command.now));
      if (pending) throw new ConflictError('This address already has a pending invitation; withdraw it to send a new one');
      const { invitationId, email, emailHash, role, actorId: invitedBy, invitation } = command;
      return [
        {
          type: 'MemberInvited',
          data: { invitationId, email, emailHash, role, tokenHash: invitation.tokenHash, token: invitation.token, expiresAt: invitation.expiresAt, invitedBy, organizationName: state.name! },
        },
      ];
    }
    case 'RevokeInvitation': {
      actingRole(state, command.actorId, 'members:invite');
      const invitation = state.invitations[command.invitationId];
      if (!invitation) throw new NotFoundError('No such invitation');
      if (invitation.status === 'revoked') return [];
      if (invitation.status === 'accepted') throw new ConflictError('This invitation has already been accepted; remove the member instead');
      return [{ type: 'InvitationRevoked', data: { invitationId: invitation.invitationId } }];
    }
    case 'AcceptInvitation': {
      const invitation = assertInvitationUsable(state.invitations[command.invitationId], command.tokenHash, command.now);
      if (invitation.emailHash !== command.emailHash)
        throw new AppError('FORBIDDEN', 'This invitation was sent to another e-mail address; sign in with that address to accept it');
      if (state.members[command.userId]) throw new ConflictError('You are already a member of this organisation');
      return [
        { type: 'InvitationAccepted', data: { invitationId: invitation.invitationId, userId: command.userId } },
        { type: 'MemberJoined', data: { userId: command.userId, role: invitation.role } },
      ];
    }
    case 'ChangeMemberRole': {
      const actorRole = actingRole(state, command.actorId, 'members:change-role');
      const previousRole = memberRole(state, command.userId);
      if (previousRole === command.role) return [];
      if (!canAssign(actorRole, previousRole) || !canAssign(actorRole, command.role)) throw ownersOnly('make or unmake owners');
      if (previousRole === 'owner' && owners(state) === 1) throw new ConflictError('The last owner cannot be demoted; make someone else an owner first');
      return [{ type: 'MemberRoleChanged', data: { userId: command.userId, role: command.role, previousRole } }];
    }
    case 'RemoveMember': {
      const actorRole = actingRole(state, command.actorId, 'members:remove');
      const role = memberRole(state, command.userId);
      if (!canAssign(actorRole, role)) throw ownersOnly('remove an owner');
      if (role === 'owner' && owners(state) === 1) throw new ConflictError('The last owner cannot be removed; make someone else an owner first');
      return [{ type: 'MemberRemoved', data: { userId: command.userId, reason: 'removed' } }];
    }
    case 'LeaveOrganization': {
      const role = actingRole(state, command.actorId, 'organization:leave');
      if (role === 'owner' && owners(state) === 1) throw new ConflictError('You are the last owner and cannot leave; make someone else an owner first');
      return [{ type: 'MemberRemoved', data: { userId: command.actorId, reason: 'left' } }];
    }
    case 'ChangeOrganizationSettings': {
      actingRole(state, command.actorId, 'organization:update');
      const name = command.name?.trim();
      if (name === '') throw new ValidationError('The organisation needs a name', [{ path: '/name', message: 'is required' }]);
      const data: { name?: string; requireMfa?: boolean } = {};
      if (name !== undefined && name !== state.name) data.name = name;
      if (command.requireMfa !== undefined && command.requireMfa !== state.requireMfa) data.requireMfa = command.requireMfa;
      if (data.requireMfa && !command.changerHasMfa) throw new ConflictError('Set up multi-factor authentication for yourself before requiring it of every member');
      return Object.keys(data).length === 0 ? [] : [{ type: 'OrganizationSettingsChanged', data }];
    }
  }
}

export const organization: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  events: organizationEvents,
  initialState: () => ({ requireMfa: false, members: {}, invitations: {} }),
  evolve,
  decide,
};
