import { randomUUID } from 'node:crypto';
import { connection, connectionStream } from '../domain/connections/connection.ts';
import { NotFoundError } from '../domain/errors.ts';
import { handleCommand, type CommandContext } from '../domain/eventsourcing/decider.ts';
import type { Position } from '../domain/eventsourcing/event-store.ts';
import { recordedName, type Actor } from '../domain/organizations/actor.ts';
import { scan, scanStream, type ScanTrigger } from '../domain/scans/scan.ts';
import { connectionState } from './connection-access.ts';
import { planPartitions } from './partitions.ts';
import { loadScan, scanWorker, type ScanEngineDependencies } from './run-scan.ts';

export interface ScanRequest {
  orgId: string;
  connectionId: string;
  /** A person with their role in the organisation, or the scheduler. */
  actor: Actor;
  trigger: ScanTrigger;
}


/** Enough to outlast a few requests racing for one connection, each losing once. */
const MAX_REQUEST_ATTEMPTS = 5;

/**
 * Asks for a scan of the connection and returns at once (the worker runs it). While a scan of the
 * connection is running, the request joins it: one account is never listed twice at the same time.
 * The position is that of the scan's ScanRequested, for read-your-writes.
 */
export async function requestScan(
  deps: Pick<ScanEngineDependencies, 'events' | 'now' | 'collectors'> & { newId?: () => string },
  request: ScanRequest,
): Promise<{ scanId: string; joined: boolean; position: Position }> {
  const { events, now } = deps;
  for (let attempt = 1; attempt <= MAX_REQUEST_ATTEMPTS; attempt++) {
    const scanId = (deps.newId ?? randomUUID)();
    const context: CommandContext = { commandId: `scan-request:${scanId}`, actor: recordedName(request.actor), orgId: request.orgId };
    const assigned = await handleCommand(events, connection, connectionStream(request.connectionId), { type: 'RequestScan', actor: request.actor, orgId: request.orgId, scanId }, context, now);
    if (assigned.events.length > 0) return { scanId, joined: false, position: await recordRequest(deps, request, scanId) };

    const running = (await connectionState(events, request.connectionId)).runningScanId;
    if (!running) continue; // released meanwhile: ask again
    const { state } = await loadScan(events, running);
    if (state.status) {
      // Finished but not yet released (the worker stopped in between): release it for the worker and ask again.
      await handleCommand(events, connection, connectionStream(request.connectionId), { type: 'ReleaseScan', actor: scanWorker, orgId: request.orgId, scanId: running }, { ...context, commandId: `${running}:release`, actor: recordedName(scanWorker) }, now);
      continue;
    }
    // Assigned but not requested yet: its requester is between its two writes, or died there. Either
    // of us may write the request; the scan stream takes the first.
    return { scanId: running, joined: true, position: await recordRequest(deps, request, running) };
  }
  throw new Error(`Could not assign a scan to connection ${request.connectionId} after ${MAX_REQUEST_ATTEMPTS} attempts`);
}

/** Writes the scan's ScanRequested unless it is there; the position of the one that is. */
async function recordRequest(deps: Pick<ScanEngineDependencies, 'events' | 'now' | 'collectors'>, request: ScanRequest, scanId: string): Promise<Position> {
  const state = await connectionState(deps.events, request.connectionId);
  if (!state.connectionId || state.orgId !== request.orgId) throw new NotFoundError('No such connection');
  const command = { type: 'RequestScan' as const, actor: request.actor, scanId, connectionId: request.connectionId, orgId: request.orgId, accountId: state.accountId!, trigger: request.trigger, partitions: planPartitions(state, deps.collectors) };
  const context: CommandContext = { commandId: `scan-requested:${scanId}`, actor: recordedName(request.actor), orgId: request.orgId, correlationId: scanId };
  const written = await handleCommand(deps.events, scan, scanStream(scanId), command, context, deps.now);
  if (written.position) return written.position;
  for await (const recorded of deps.events.readStream(scanStream(scanId), { max: 1 })) return recorded.position;
  throw new Error(`scan ${scanId} has no request`);
}

/** Asks a running scan to stop; it ends 'cancelled' after the pages in progress, deleting nothing it did not finish listing. */
export async function cancelScan(
  deps: Pick<ScanEngineDependencies, 'events' | 'now'>,
  { orgId, scanId, actor }: { orgId: string; scanId: string; actor: Actor },
): Promise<{ position: Position | undefined }> {
  const result = await handleCommand(deps.events, scan, scanStream(scanId), { type: 'RequestCancellation', actor, orgId }, { commandId: randomUUID(), actor: recordedName(actor), orgId }, deps.now);
  return { position: result.position };
}
