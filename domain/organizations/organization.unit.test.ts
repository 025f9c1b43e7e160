import { describe, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import type { IssuedToken } from '../identity/tokens.ts';
import type { Sealed } from '../privacy/personal-data.ts';
import { organization, type OrganizationCommand, type OrganizationEvent } from './organization.ts';
import { roles, type Permission, type Role } from './roles.ts';
import { everyActor, expectedOutcome } from './testing/actors.ts';

/** Pins the history's type, so inline events are checked as OrganizationEvents (not widened). */
const givenOrg = (history: OrganizationEvent[]) => given(organization, history);

const orgId = '00000000-0000-4000-8000-00000000000a';
const owner = 'user-owner';
const admin = 'user-admin';
const member = 'user-member';
const viewer = 'user-viewer';
const newcomer = 'user-newcomer';
const now = new Date('2026-03-01T12:00:00Z');
const inSevenDays = '2026-03-08T12:00:00.000Z';
const email = 'sealed:grace@example.com' as Sealed;
const token = 'sealed:token' as Sealed;

const created: OrganizationEvent[] = [
  { type: 'OrganizationCreated', data: { orgId, name: 'Acme', timezone: 'Europe/London', ownerId: owner } },
  { type: 'MemberJoined', data: { userId: owner, role: 'owner' } },
];
const joined = (userId: string, role: Role): OrganizationEvent => ({ type: 'MemberJoined', data: { userId, role } });
const team: OrganizationEvent[] = [...created, joined(admin, 'admin'), joined(member, 'member'), joined(viewer, 'viewer')];

const invited = (overrides: Partial<Extract<OrganizationEvent, { type: 'MemberInvited' }>['data']> = {}): OrganizationEvent => ({
  type: 'MemberInvited',
  data: { invitationId: 'inv-1', email, emailHash: 'hash-grace', role: 'member', tokenHash: 'token-hash', token, expiresAt: inSevenDays, invitedBy: owner, organizationName: 'Acme', ...overrides },
});

const issued: IssuedToken = { tokenHash: 'token-hash', token, issuedAt: now.toISOString(), expiresAt: inSevenDays };
const invite = (overrides: Partial<Extract<OrganizationCommand, { type: 'InviteMember' }>> = {}): OrganizationCommand => ({
  type: 'InviteMember',
  invitationId: 'inv-1',
  email,
  emailHash: 'hash-grace',
  role: 'member',
  invitation: issued,
  actorId: owner,
  inviterVerified: true,
  now,
  ...overrides,
});
const accept = (overrides: Partial<Extract<OrganizationCommand, { type: 'AcceptInvitation' }>> = {}): OrganizationCommand => ({
  type: 'AcceptInvitation',
  invitationId: 'inv-1',
  tokenHash: 'token-hash',
  userId: newcomer,
  emailHash: 'hash-grace',
  now,
  ...overrides,
});

describe('CreateOrganization', () => {
  it('creates the organisation with its creator as owner', () => {
    givenOrg([]).when({ type: 'CreateOrganization', orgId, name: ' Acme ', timezone: 'Europe/London', ownerId: owner }).then(created);
  });

  it('refuses to create it twice', () => {
    givenOrg(created).when({ type: 'CreateOrganization', orgId, name: 'Acme', timezone: 'Europe/London', ownerId: owner }).thenThrows('CONFLICT');
  });
});

describe('InviteMember', () => {
  it('records the invitation with the sealed address, the token hash and the organisation name', () => {
    givenOrg(team).when(invite()).then([invited()]);
  });

  it('lets an admin invite members and admins', () => {
    givenOrg(team).when(invite({ actorId: admin, role: 'admin' })).then([invited({ invitedBy: admin, role: 'admin' })]);
  });

  it('refuses an inviter who has not verified their own address', () => {
    givenOrg(team).when(invite({ inviterVerified: false })).thenThrows('FORBIDDEN', /verify your e-mail address/);
  });

  it('lets only an owner invite an owner', () => {
    givenOrg(team).when(invite({ actorId: admin, role: 'owner' })).thenThrows('FORBIDDEN', /Only an owner/);
    givenOrg(team).when(invite({ role: 'owner' })).then([invited({ role: 'owner' })]);
  });

  it('refuses to invite someone who is already a member', () => {
    givenOrg(team).when(invite({ existingUserId: member })).thenThrows('CONFLICT', /already a member/);
  });

  it('invites a former member again', () => {
    givenOrg([...team, { type: 'MemberRemoved', data: { userId: member, reason: 'left' } }])
      .when(invite({ existingUserId: member }))
      .then([invited()]);
  });

  it('refuses a second pending invitation for the same address, but not once the first has expired or been withdrawn', () => {
    givenOrg([...team, invited()]).when(invite({ invitationId: 'inv-2' })).thenThrows('CONFLICT', /pending invitation/);
    givenOrg([...team, invited({ expiresAt: now.toISOString() })])
      .when(invite({ invitationId: 'inv-2' }))
      .then([invited({ invitationId: 'inv-2' })]);
    givenOrg([...team, invited(), { type: 'InvitationRevoked', data: { invitationId: 'inv-1' } }])
      .when(invite({ invitationId: 'inv-2' }))
      .then([invited({ invitationId: 'inv-2' })]);
  });

  it('refuses for an organisation that does not exist', () => {
    givenOrg([]).when(invite()).thenThrows('NOT_FOUND');
  });
});

describe('RevokeInvitation', () => {
  it('withdraws a pending invitation, once', () => {
    givenOrg([...team, invited()]).when({ type: 'RevokeInvitation', actorId: owner, invitationId: 'inv-1' }).then([{ type: 'InvitationRevoked', data: { invitationId: 'inv-1' } }]);
    givenOrg([...team, invited(), { type: 'InvitationRevoked', data: { invitationId: 'inv-1' } }]).when({ type: 'RevokeInvitation', actorId: owner, invitationId: 'inv-1' }).then([]);
  });

  it('does not know invitations of other organisations', () => {
    givenOrg(team).when({ type: 'RevokeInvitation', actorId: owner, invitationId: 'inv-elsewhere' }).thenThrows('NOT_FOUND');
  });

  it('cannot withdraw an accepted invitation', () => {
    givenOrg([...team, invited(), { type: 'InvitationAccepted', data: { invitationId: 'inv-1', userId: newcomer } }, joined(newcomer, 'member')])
      .when({ type: 'RevokeInvitation', actorId: owner, invitationId: 'inv-1' })
      .thenThrows('CONFLICT', /already been accepted/);
  });
});

describe('AcceptInvitation', () => {
  it('joins the invitee with the invited role', () => {
    givenOrg([...team, invited({ role: 'viewer' })])
      .when(accept())
      .then([
        { type: 'InvitationAccepted', data: { invitationId: 'inv-1', userId: newcomer } },
        { type: 'MemberJoined', data: { userId: newcomer, role: 'viewer' } },
      ]);
  });

  it('refuses a wrong token and an unknown invitation alike', () => {
    givenOrg([...team, invited()]).when(accept({ tokenHash: 'guessed' })).thenThrows('VALIDATION_FAILED', /not valid/);
    givenOrg([...team, invited()]).when(accept({ invitationId: 'inv-other' })).thenThrows('VALIDATION_FAILED', /not valid/);
  });

  it('refuses an expired invitation', () => {
    givenOrg([...team, invited({ expiresAt: '2026-03-01T11:59:59.000Z' })]).when(accept()).thenThrows('VALIDATION_FAILED', /expired/);
  });

  it('refuses a token that has already been used', () => {
    givenOrg([...team, invited(), { type: 'InvitationAccepted', data: { invitationId: 'inv-1', userId: newcomer } }, joined(newcomer, 'member')])
      .when(accept({ userId: 'someone-else' }))
      .thenThrows('CONFLICT', /already been accepted/);
  });

  it('refuses a withdrawn invitation', () => {
    givenOrg([...team, invited(), { type: 'InvitationRevoked', data: { invitationId: 'inv-1' } }]).when(accept()).thenThrows('CONFLICT', /withdrawn/);
  });

  it('refuses an account whose address is not the invited one', () => {
    givenOrg([...team, invited()]).when(accept({ emailHash: 'hash-mallory' })).thenThrows('FORBIDDEN', /another e-mail address/);
  });

  it('refuses someone who is already a member', () => {
    givenOrg([...team, invited()]).when(accept({ userId: member })).thenThrows('CONFLICT', /already a member/);
  });
});

describe('ChangeMemberRole', () => {
  const change = (userId: string, role: Role, actorId: string): OrganizationCommand => ({ type: 'ChangeMemberRole', actorId, userId, role });
  const changed = (userId: string, role: Role, previousRole: Role): OrganizationEvent => ({ type: 'MemberRoleChanged', data: { userId, role, previousRole } });

  it('lets an admin move people between admin, member and viewer', () => {
    givenOrg(team).when(change(viewer, 'admin', admin)).then([changed(viewer, 'admin', 'viewer')]);
    givenOrg(team).when(change(member, 'viewer', admin)).then([changed(member, 'viewer', 'member')]);
  });

  it('lets only an owner make an owner', () => {
    givenOrg(team).when(change(member, 'owner', admin)).thenThrows('FORBIDDEN', /Only an owner can make or unmake owners/);
    givenOrg(team).when(change(member, 'owner', owner)).then([changed(member, 'owner', 'member')]);
  });

  it('lets only an owner unmake an owner', () => {
    const twoOwners = [...team, changed(admin, 'owner', 'admin'), joined('user-admin-2', 'admin')];
    givenOrg(twoOwners).when(change(owner, 'admin', 'user-admin-2')).thenThrows('FORBIDDEN', /Only an owner/);
    givenOrg(twoOwners).when(change(owner, 'member', admin)).then([changed(owner, 'member', 'owner')]);
  });

  it('never demotes the last owner', () => {
    givenOrg(team).when(change(owner, 'admin', owner)).thenThrows('CONFLICT', /last owner cannot be demoted/);
  });

  it('changes nothing when the role is the same', () => {
    givenOrg(team).when(change(member, 'member', admin)).then([]);
  });

  it('does not know people who are not members', () => {
    givenOrg(team).when(change('user-stranger', 'viewer', owner)).thenThrows('NOT_FOUND');
  });
});

describe('RemoveMember', () => {
  const remove = (userId: string, actorId: string): OrganizationCommand => ({ type: 'RemoveMember', actorId, userId });
  const removed = (userId: string): OrganizationEvent => ({ type: 'MemberRemoved', data: { userId, reason: 'removed' } });

  it('removes a member', () => {
    givenOrg(team).when(remove(member, admin)).then([removed(member)]);
  });

  it('lets only an owner remove an owner, and never the last one', () => {
    const twoOwners = [...team, joined('user-owner-2', 'owner')];
    givenOrg(twoOwners).when(remove('user-owner-2', admin)).thenThrows('FORBIDDEN', /Only an owner can remove an owner/);
    givenOrg(twoOwners).when(remove('user-owner-2', owner)).then([removed('user-owner-2')]);
    givenOrg(team).when(remove(owner, owner)).thenThrows('CONFLICT', /last owner cannot be removed/);
  });

  it('does not remove someone twice', () => {
    givenOrg([...team, removed(member)]).when(remove(member, owner)).thenThrows('NOT_FOUND');
  });
});

describe('LeaveOrganization', () => {
  const leave = (actorId: string): OrganizationCommand => ({ type: 'LeaveOrganization', actorId });
  const left = (userId: string): OrganizationEvent => ({ type: 'MemberRemoved', data: { userId, reason: 'left' } });

  it('lets any member leave', () => {
    givenOrg(team).when(leave(viewer)).then([left(viewer)]);
    givenOrg(team).when(leave(admin)).then([left(admin)]);
  });

  it('keeps the last owner in', () => {
    givenOrg(team).when(leave(owner)).thenThrows('CONFLICT', /last owner and cannot leave/);
  });

  it('lets an owner leave when another owner stays', () => {
    givenOrg([...team, joined('user-owner-2', 'owner')]).when(leave(owner)).then([left(owner)]);
  });

  it('counts owners after role changes', () => {
    const promotedThenDemoted: OrganizationEvent[] = [
      ...team,
      { type: 'MemberRoleChanged', data: { userId: admin, role: 'owner', previousRole: 'admin' } },
      { type: 'MemberRoleChanged', data: { userId: admin, role: 'admin', previousRole: 'owner' } },
    ];
    givenOrg(promotedThenDemoted).when(leave(owner)).thenThrows('CONFLICT', /last owner/);
  });

  it('refuses someone who is not a member', () => {
    givenOrg(team).when(leave('user-stranger')).thenThrows('NOT_FOUND');
  });
});

describe('ChangeOrganizationSettings', () => {
  const settings = (changes: { name?: string; requireMfa?: boolean }, changerHasMfa = false): OrganizationCommand => ({ type: 'ChangeOrganizationSettings', actorId: admin, ...changes, changerHasMfa });

  it('renames the organisation', () => {
    givenOrg(team).when(settings({ name: '  Acme Cloud ' })).then([{ type: 'OrganizationSettingsChanged', data: { name: 'Acme Cloud' } }]);
  });

  it('refuses a blank name', () => {
    givenOrg(team).when(settings({ name: '   ' })).thenThrows('VALIDATION_FAILED', /needs a name/);
  });

  it('records only what changes', () => {
    givenOrg(team).when(settings({ name: 'Acme', requireMfa: false })).then([]);
    givenOrg([...team, { type: 'OrganizationSettingsChanged', data: { name: 'Renamed' } }]).when(settings({ name: 'Renamed' })).then([]);
  });

  it('requires MFA of every member only when the one asking has MFA', () => {
    givenOrg(team).when(settings({ requireMfa: true }, true)).then([{ type: 'OrganizationSettingsChanged', data: { requireMfa: true } }]);
    givenOrg(team).when(settings({ requireMfa: true }, false)).thenThrows('CONFLICT', /multi-factor authentication for yourself/);
  });

  it('stops requiring MFA', () => {
    givenOrg([...team, { type: 'OrganizationSettingsChanged', data: { requireMfa: true } }])
      .when(settings({ requireMfa: false }))
      .then([{ type: 'OrganizationSettingsChanged', data: { requireMfa: false } }]);
  });
});

/**
 * Who may do what: one case per command and person, expected from the permission table (roles.ts),
 * the role read from the organisation's own members. A non-member learns nothing, not even that the
 * organisation exists.
 */
describe("the actor's role", () => {
  it("is the organisation's own record of it, not what the caller believes", () => {
    const demoted: OrganizationEvent = { type: 'MemberRoleChanged', data: { userId: admin, role: 'viewer', previousRole: 'admin' } };
    givenOrg([...team, demoted]).when(invite({ actorId: admin })).thenThrows('FORBIDDEN', /\(viewer\) does not allow this: it takes an owner or an admin/);
    givenOrg([...team, { type: 'MemberRemoved', data: { userId: admin, reason: 'removed' } }])
      .when(invite({ actorId: admin }))
      .thenThrows('NOT_FOUND', /No such organisation/);
  });
});

describe('who may do what in an organisation', () => {
  const subject = 'user-subject';
  const everyone: OrganizationEvent[] = [
    ...created,
    ...roles.filter((role) => role !== 'owner').map((role) => joined(`user-${role}`, role)),
    // A second owner, so that an owner may leave; a viewer to promote and remove; an invitation to withdraw.
    joined('user-owner-2', 'owner'),
    joined(subject, 'viewer'),
    invited({ invitationId: 'inv-pending', emailHash: 'hash-ada' }),
  ];
  const cases: Array<{ permission: Permission; when: (actorId: string) => OrganizationCommand; then: (actorId: string) => OrganizationEvent[] }> = [
    {
      permission: 'members:invite',
      when: (actorId) => invite({ actorId, invitationId: 'inv-new' }),
      then: (actorId) => [invited({ invitationId: 'inv-new', invitedBy: actorId })],
    },
    {
      permission: 'members:invite',
      when: (actorId) => ({ type: 'RevokeInvitation', actorId, invitationId: 'inv-pending' }),
      then: () => [{ type: 'InvitationRevoked', data: { invitationId: 'inv-pending' } }],
    },
    {
      permission: 'members:change-role',
      when: (actorId) => ({ type: 'ChangeMemberRole', actorId, userId: subject, role: 'member' }),
      then: () => [{ type: 'MemberRoleChanged', data: { userId: subject, role: 'member', previousRole: 'viewer' } }],
    },
    {
      permission: 'members:remove',
      when: (actorId) => ({ type: 'RemoveMember', actorId, userId: subject }),
      then: () => [{ type: 'MemberRemoved', data: { userId: subject, reason: 'removed' } }],
    },
    {
      permission: 'organization:update',
      when: (actorId) => ({ type: 'ChangeOrganizationSettings', actorId, name: 'Acme Cloud', changerHasMfa: false }),
      then: () => [{ type: 'OrganizationSettingsChanged', data: { name: 'Acme Cloud' } }],
    },
    {
      permission: 'organization:leave',
      when: (actorId) => ({ type: 'LeaveOrganization', actorId }),
      then: (actorId) => [{ type: 'MemberRemoved', data: { userId: actorId, reason: 'left' } }],
    },
  ];

  for (const { permission, when, then } of cases)
    describe(`${when('').type} (${permission})`, () => {
      for (const { who, actor } of everyActor) {
        if (actor.kind !== 'user') continue;
        const command = when(actor.userId);
        const expected = expectedOutcome(actor, { permission });
        if (expected === 'allowed') it(`is done for ${who}`, () => givenOrg(everyone).when(command).then(then(actor.userId)));
        else if (expected === 'FORBIDDEN') it(`is refused to ${who}`, () => givenOrg(everyone).when(command).thenThrows('FORBIDDEN', /does not allow this/));
        else it(`is unknown to ${who}`, () => givenOrg(everyone).when(command).thenThrows('NOT_FOUND', /No such organisation/));
      }
    });
});
