import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import { organizationQueries } from '../organizations/queries.ts';
import type { Projection } from '../projection.ts';

/** Whether a user has MFA on. Secrets and recovery codes stay in the event log only. */
export interface MfaEnrolmentDocument extends Document {
  enabled: boolean;
  enabledAt: string | null;
}

const ENROLMENT_CHANGES = ['MfaEnabled', 'MfaDisabled'] as const;

export const mfaProjection: Projection = {
  name: 'mfa',
  filter: { streamPrefixes: ['mfa-'] },
  collections: { enrolments: {} },
  async apply(recorded, model) {
    const event = parseEventOf(recorded, ENROLMENT_CHANGES);
    if (!event) return;
    const enrolments = model.collection<MfaEnrolmentDocument>('enrolments');
    const userId = recorded.stream.slice('mfa-'.length);
    if (event.type === 'MfaEnabled') await enrolments.upsert({ _id: userId, enabled: true, enabledAt: recorded.metadata.occurredAt });
    if (event.type === 'MfaDisabled') await enrolments.upsert({ _id: userId, enabled: false, enabledAt: null });
  },
};

/** The questions the API asks about MFA. */
export const mfaQueries = (store: DocumentStore) => {
  const organizations = organizationQueries(store);
  const enabled = async (userId: string) => (await (await readModel<MfaEnrolmentDocument>(store, 'mfa', 'enrolments')).get(userId))?.enabled ?? false;
  return {
    enabled,
    /** True when the user has no MFA but an organisation they belong to requires it. */
    enrollmentRequired: async (userId: string) => {
      if (await enabled(userId)) return false;
      const memberships = await organizations.membershipsOf(userId);
      const orgs = await Promise.all(memberships.map((m) => organizations.organization(m.orgId)));
      return orgs.some((org) => org?.requireMfa === true);
    },
  };
};
