import type { PersonalDataVault } from '../domain/privacy/personal-data.ts';
import { auditTrail } from './audit/audit-trail.ts';
import { connectionsProjection } from './connections/connections.ts';
import { identityProjection } from './identity/identity.ts';
import { inventoryProjection } from './inventory/inventory.ts';
import { partitionSnapshotsProjection } from './inventory/partition-snapshots.ts';
import { mfaProjection } from './identity/mfa.ts';
import { organizationsProjection } from './organizations/organizations.ts';
import { scansProjection } from './scans/scans.ts';
import type { Projection } from './projection.ts';

/** Every projection the application runs. */
export function createProjections(deps: { vault: PersonalDataVault }): Projection[] {
  return [auditTrail(deps.vault), identityProjection(deps.vault), organizationsProjection(deps.vault), mfaProjection, connectionsProjection, scansProjection, inventoryProjection, partitionSnapshotsProjection];
}
