import type { OrganizationEvent } from '../../domain/organizations/organization.ts';
import type { Role } from '../../domain/organizations/roles.ts';
import type { Document } from '../../domain/read-models/document-store.ts';
import type { Projection } from '../projection.ts';

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

export const membershipId = (orgId: string, userId: string) => `${orgId}:${userId}`;

/** Organisations and who belongs to them in which role. */
export const organizationsProjection: Projection = {
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
  },
  async apply(recorded, model) {
    const event = { type: recorded.type, data: recorded.data } as OrganizationEvent;
    const orgId = recorded.stream.slice('org-'.length);
    switch (event.type) {
      case 'OrganizationCreated':
        await model
          .collection<OrganizationDocument>('organizations')
          .upsert({ _id: orgId, name: event.data.name, timezone: event.data.timezone, requireMfa: false, createdAt: recorded.metadata.occurredAt });
        return;
      case 'MemberJoined':
        await model
          .collection<MembershipDocument>('memberships')
          .upsert({ _id: membershipId(orgId, event.data.userId), orgId, userId: event.data.userId, role: event.data.role, joinedAt: recorded.metadata.occurredAt });
        return;
    }
  },
};
