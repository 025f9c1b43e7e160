import { randomUUID } from 'node:crypto';
import { connection, connectionStream } from '../domain/connections/connection.ts';
import { NotFoundError } from '../domain/errors.ts';
import { handleCommand, type CommandContext } from '../domain/eventsourcing/decider.ts';
import type { Position } from '../domain/eventsourcing/event-store.ts';
import { CHECKPOINTS, type Checkpoint, type DocumentStore } from '../domain/read-models/document-store.ts';
import { scan, scanStream, type ScanTrigger } from '../domain/scans/scan.ts';
import { connectionState } from './connection-access.ts';
import { createLimiter } from './limit.ts';
import { planPartitions } from './partitions.ts';
import { loadScan, runScan, type ScanEngineDependencies } from './scan-runner.ts';

export type { ScanEngineDependencies } from './scan-runner.ts';

export interface ScanRequest {
  orgId: string;
  connectionId: string;
  /** A user id, or 'schedule'. */
  requestedBy: string;
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
    const context: CommandContext = { commandId: `scan-request:${scanId}`, actor: request.requestedBy, orgId: request.orgId };
    const assigned = await handleCommand(events, connection, connectionStream(request.connectionId), { type: 'RequestScan', orgId: request.orgId, scanId }, context, now);
    if (assigned.events.length > 0) return { scanId, joined: false, position: await recordRequest(deps, request, scanId) };

    const running = (await connectionState(events, request.connectionId)).runningScanId;
    if (!running) continue; // released meanwhile: ask again
    const { state } = await loadScan(events, running);
    if (state.status) {
      // Finished but not yet released (the worker stopped in between): release it and ask again.
      await handleCommand(events, connection, connectionStream(request.connectionId), { type: 'ReleaseScan', orgId: request.orgId, scanId: running }, { ...context, commandId: `${running}:release` }, now);
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
  const command = { type: 'RequestScan' as const, scanId, connectionId: request.connectionId, orgId: request.orgId, accountId: state.accountId!, requestedBy: request.requestedBy, trigger: request.trigger, partitions: planPartitions(state, deps.collectors) };
  const context: CommandContext = { commandId: `scan-requested:${scanId}`, actor: request.requestedBy, orgId: request.orgId, correlationId: scanId };
  const written = await handleCommand(deps.events, scan, scanStream(scanId), command, context, deps.now);
  if (written.position) return written.position;
  for await (const recorded of deps.events.readStream(scanStream(scanId), { max: 1 })) return recorded.position;
  throw new Error(`scan ${scanId} has no request`);
}

/** Asks a running scan to stop; it ends 'cancelled' after the pages in progress, deleting nothing it did not finish listing. */
export async function cancelScan(
  deps: Pick<ScanEngineDependencies, 'events' | 'now'>,
  { orgId, scanId, requestedBy }: { orgId: string; scanId: string; requestedBy: string },
): Promise<{ position: Position | undefined }> {
  const result = await handleCommand(deps.events, scan, scanStream(scanId), { type: 'RequestCancellation', orgId, requestedBy }, { commandId: randomUUID(), actor: requestedBy, orgId }, deps.now);
  return { position: result.position };
}

export interface ScanWorkerOptions {
  /** Scans run at once by this worker. */
  concurrentScans?: number;
  /** Partitions listed at once across all its scans. */
  concurrentPartitions?: number;
}

/** The worker's place in the log: every ScanRequested at or before it has been run to its end. */
export const SCAN_WORKER_CHECKPOINT = 'scan-worker';
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Follows the log for ScanRequested and runs each scan once. The checkpoint only moves past a scan
 * once it and every earlier one ended, so after a restart a scan interrupted mid-way is RESUMED
 * (its unfinished partitions are listed again against the stored state, which yields no duplicate
 * events) and a finished one is skipped. A scan that fails on the store is retried until it ends.
 */
export function startScanWorker(deps: ScanEngineDependencies & { documents: DocumentStore }, options: ScanWorkerOptions = {}): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const scans = createLimiter(options.concurrentScans ?? 4);
  const overall = createLimiter(options.concurrentPartitions ?? 8);
  const log = deps.logger.child({ worker: 'scans' });
  const running = new Set<Promise<void>>();
  /** Requests in log order, with whether their scan has ended. */
  const inOrder: Array<{ position: Position; done: boolean }> = [];
  let saving = Promise.resolve();

  const advanceCheckpoint = () => {
    let last: Position | undefined;
    while (inOrder[0]?.done) last = inOrder.shift()!.position;
    if (last === undefined) return;
    const position = last;
    saving = saving.then(() => deps.documents.collection<Checkpoint>(CHECKPOINTS).upsert({ _id: SCAN_WORKER_CHECKPOINT, position })).catch((error: unknown) => log.error({ err: error }, 'saving the scan checkpoint failed'));
  };

  async function runToEnd(scanId: string): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const result = await runScan(deps, scanId, { signal: stopping.signal, overall });
        if (result !== 'interrupted') return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        log.error({ err: error, scanId }, 'scan failed on the store; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
      }
    }
  }

  async function follow(): Promise<void> {
    // After a failure, start again from the checkpoint with nothing of the last attempt in flight.
    await Promise.all(running);
    inOrder.length = 0;
    const from = (await deps.documents.getCheckpoint(SCAN_WORKER_CHECKPOINT))?.position as Position | undefined;
    const requests = deps.events.subscribeAll({ from, filter: { streamPrefixes: ['scan-'], eventTypes: ['ScanRequested'] }, signal: stopping.signal });
    for await (const requested of requests) {
      const entry = { position: requested.position, done: false };
      inOrder.push(entry);
      const scanId = (requested.data as { scanId: string }).scanId;
      // Waiting for a slot here holds back reading further requests: the log is the queue.
      await new Promise<void>((started) => {
        const job = scans
          .run(() => (started(), runToEnd(scanId)))
          .then(() => {
            if (stopping.signal.aborted) return;
            entry.done = true;
            advanceCheckpoint();
          })
          .finally(() => running.delete(job));
        running.add(job);
      });
    }
  }

  const done = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await follow();
      } catch (error) {
        if (stopping.signal.aborted) break;
        log.error({ err: error }, 'following scan requests failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await done;
      await Promise.all(running);
      await saving;
    },
  };
}
