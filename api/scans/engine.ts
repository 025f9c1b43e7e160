import type { Position } from '../../domain/eventsourcing/event-store.ts';
import type { Actor } from '../../domain/organizations/actor.ts';

/**
 * What the scan routes need of the scan engine (scanner/scan-requests.ts), with its dependencies already
 * bound by the composition root: the signatures of the shared contract, nothing more. Keeping the
 * routes on this port lets the read side be built and tested while the engine is written.
 */
export interface ScanEngine {
  /** Assigns a new scan to the connection, or joins the one running there; does not wait for it. */
  requestScan(input: { orgId: string; connectionId: string; actor: Actor; trigger: 'manual' }): Promise<{ scanId: string; joined: boolean; position?: Position | undefined }>;
  cancelScan(input: { orgId: string; scanId: string; actor: Actor }): Promise<unknown>;
}
