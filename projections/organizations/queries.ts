import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import { membershipId, type InvitationDocument, type MembershipDocument, type OrganizationDocument } from './organizations.ts';

/** The questions the API asks of the organisation read models. */
export const organizationQueries = (store: DocumentStore) => {
  const memberships = () => readModel<MembershipDocument>(store, 'organizations', 'memberships');
  const organizations = () => readModel<OrganizationDocument>(store, 'organizations', 'organizations');
  const invitations = () => readModel<InvitationDocument>(store, 'organizations', 'invitations');
  return {
    membership: async (orgId: string, userId: string) => (await memberships()).get(membershipId(orgId, userId)),
    membershipsOf: async (userId: string) => (await memberships()).find({ userId }, { sort: [['joinedAt', 1]] }),
    organization: async (orgId: string) => (await organizations()).get(orgId),
    membersOf: async (orgId: string) => (await memberships()).find({ orgId }, { sort: [['joinedAt', 1]] }),
    invitation: async (invitationId: string) => (await invitations()).get(invitationId),
    invitationsOf: async (orgId: string) => (await invitations()).find({ orgId }, { sort: [['createdAt', -1]] }),
  };
};

export type OrganizationQueries = ReturnType<typeof organizationQueries>;
