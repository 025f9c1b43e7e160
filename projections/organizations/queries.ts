import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import { membershipId, type MembershipDocument, type OrganizationDocument } from './organizations.ts';

/** The questions the API asks of the organisation read models. */
export const organizationQueries = (store: DocumentStore) => {
  const memberships = () => readModel<MembershipDocument>(store, 'organizations', 'memberships');
  const organizations = () => readModel<OrganizationDocument>(store, 'organizations', 'organizations');
  return {
    membership: async (orgId: string, userId: string) => (await memberships()).get(membershipId(orgId, userId)),
    membershipsOf: async (userId: string) => (await memberships()).find({ userId }, { sort: [['joinedAt', 1]] }),
    organization: async (orgId: string) => (await organizations()).get(orgId),
  };
};

export type OrganizationQueries = ReturnType<typeof organizationQueries>;
