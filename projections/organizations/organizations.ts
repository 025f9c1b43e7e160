import type { RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import { invitationSubject, type InvitationStatus } from '../../domain/organizations/invitation.ts';
import type { OrganizationEvent } from '../../domain/organizations/organization.ts';
import type { Role } from '../../domain/organizations/roles.ts';
import type { PersonalDataVault } from '../../domain/privacy/personal-data.ts';
import type { Document } from '../../domain/read-models/document-store.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';

export interface OrganizationDocument extends Document {
  name: string;
  timezone: string;
  /** Members without MFA are sent through enrolment when they sign in. */
  requireMfa: boolean;
  createdAt: string;
}

export interface MembershipDocument extends Document {
  orgId: string;
  userId: string;
  role: Role;
  joinedAt: string;
}

export interface InvitationDocument extends Document {
  orgId: string;
  /** The invitee's address, opened for display; '[erased]' once the invitation's key is destroyed. */
  email: string;
  emailHash: string;
  role: Role;
  /** Hash of the link's token, so a link can be checked (e.g. for its preview) without the stream. */
  tokenHash: string;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  /** 'expired' is not stored: it depends on when one asks (see invitation.ts `isExpired`). */
  status: InvitationStatus;
  acceptedBy: string | null;
  closedAt: string | null;
}

const HANDLED = ['OrganizationCreated', 'OrganizationSettingsChanged', 'MemberJoined', 'MemberRoleChanged', 'MemberRemoved', 'MemberInvited', 'InvitationAccepted', 'InvitationRevoked'] as const;

export const membershipId = (orgId: string, userId: string) => `${orgId}:${userId}`;

/** Organisations, who belongs to them in which role, and who has been invited. */
export function organizationsProjection(vault: PersonalDataVault): Projection {
  async function apply(event: OrganizationEvent, recorded: RecordedEvent, model: ReadModelWriter) {
    const orgId = recorded.stream.slice('org-'.length);
    const at = recorded.metadata.occurredAt;
    const organizations = model.collection<OrganizationDocument>('organizations');
    const memberships = model.collection<MembershipDocument>('memberships');
    const invitations = model.collection<InvitationDocument>('invitations');
    switch (event.type) {
      case 'OrganizationCreated':
        await organizations.upsert({ _id: orgId, name: event.data.name, timezone: event.data.timezone, requireMfa: false, createdAt: at });
        return;
      case 'OrganizationSettingsChanged':
        await organizations.updateMany({ _id: orgId }, { $set: { ...event.data } });
        return;
      case 'MemberJoined':
        await memberships.upsert({ _id: membershipId(orgId, event.data.userId), orgId, userId: event.data.userId, role: event.data.role, joinedAt: at });
        return;
      case 'MemberRoleChanged':
        await memberships.updateMany({ _id: membershipId(orgId, event.data.userId) }, { $set: { role: event.data.role } });
        return;
      case 'MemberRemoved':
        await memberships.deleteMany({ _id: membershipId(orgId, event.data.userId) });
        return;
      case 'MemberInvited': {
        const { invitationId, emailHash, role, tokenHash, invitedBy, expiresAt } = event.data;
        const email = (await vault.open(invitationSubject(invitationId), event.data.email)) ?? '[erased]';
        await invitations.upsert({ _id: invitationId, orgId, email, emailHash, role, tokenHash, invitedBy, createdAt: at, expiresAt, status: 'pending', acceptedBy: null, closedAt: null });
        return;
      }
      case 'InvitationAccepted':
        await invitations.updateMany({ _id: event.data.invitationId }, { $set: { status: 'accepted', acceptedBy: event.data.userId, closedAt: at } });
        return;
      case 'InvitationRevoked':
        await invitations.updateMany({ _id: event.data.invitationId }, { $set: { status: 'revoked', closedAt: at } });
        return;
    }
  }

  return {
    name: 'organizations',
    filter: { streamPrefixes: ['org-'] },
    collections: {
      organizations: {},
      memberships: {
        indexes: [
          { name: 'by_user', fields: [['userId', 1]] },
          { name: 'by_org', fields: [['orgId', 1], ['joinedAt', 1]] },
        ],
      },
      invitations: { indexes: [{ name: 'by_org', fields: [['orgId', 1], ['createdAt', -1]] }] },
    },
    async apply(recorded, model) {
      const event = parseEventOf(recorded, HANDLED);
      if (event) await apply(event, recorded, model);
    },
  };
}
