import type { Document } from '../../domain/read-models/document-store.ts';
import type { PersonalDataVault, Sealed } from '../../domain/privacy/personal-data.ts';
import type { Projection } from '../projection.ts';

/** One entry per event: who did what, when, in which organisation, on which stream. */
export interface AuditEntry extends Document {
  at: string;
  actor: string;
  orgId: string | null;
  action: string;
  stream: string;
  position: string;
  correlationId: string;
  ip: string | null;
  userAgent: string | null;
  /** A short, non-personal detail some events carry, such as why a sign-in failed. */
  detail: string | null;
}

/**
 * The audit trail is read straight from every event's metadata (DESIGN.md §4), so it covers every
 * command in every context without their knowing about it. Keyed by event id: replays are harmless.
 * The source IP and user agent are sealed for the actor; once the actor is erased they read null.
 */
export const auditTrail = (vault: PersonalDataVault): Projection => ({
  name: 'audit',
  collections: {
    entries: {
      indexes: [
        { name: 'by_org_position', fields: [['orgId', 1], ['position', -1]] },
        { name: 'by_org_actor_position', fields: [['orgId', 1], ['actor', 1], ['position', -1]] },
        { name: 'by_actor_position', fields: [['actor', 1], ['position', -1]] },
      ],
    },
  },
  async apply(event, model) {
    if (!audited(event.stream, event.type)) return;
    const { actor, ip, userAgent } = event.metadata as { actor: string; ip?: Sealed; userAgent?: Sealed };
    const open = async (sealed: Sealed | undefined) => (sealed ? ((await vault.open(actor, sealed)) ?? null) : null);
    await model.collection<AuditEntry>('entries').upsert({
      _id: event.eventId,
      at: event.metadata.occurredAt,
      actor: event.metadata.actor,
      orgId: event.metadata.orgId ?? null,
      action: event.type,
      stream: event.stream,
      position: event.position,
      correlationId: event.metadata.correlationId,
      ip: await open(ip),
      userAgent: await open(userAgent),
      detail: typeof (event.data as { reason?: unknown }).reason === 'string' ? (event.data as { reason: string }).reason : null,
    });
  },
});

/**
 * What is not an action taken in Cloudventory: resources observed in AWS (their history is the
 * inventory's, and a scan of 100,000 resources would bury the trail) and scan workers' claims on
 * scans (renewed every few seconds while a scan runs). The scan itself, who asked for it and how it
 * ended, stays in the trail.
 */
function audited(stream: string, type: string): boolean {
  return !stream.startsWith('inventory-') && type !== 'ScanClaimed' && type !== 'ScanClaimReleased';
}
