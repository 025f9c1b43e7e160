import { randomUUID } from 'node:crypto';
import { hasCode } from '../domain/errors.ts';
import { handleCommand, type CommandContext } from '../domain/eventsourcing/decider.ts';
import type { Position } from '../domain/eventsourcing/event-store.ts';
import { parseEventOf } from '../domain/eventsourcing/registry.ts';
import { CHECKPOINTS, type Checkpoint, type DocumentStore } from '../domain/read-models/document-store.ts';
import { scan, scanStream, type ScanRequestedData } from '../domain/scans/scan.ts';
import { createLimiter } from './limit.ts';
import { loadScan, runScan, scanWorker, type ScanEngineDependencies, type ScanRunResult } from './run-scan.ts';

export interface ScanWorkerOptions {
  /** Scans run at once by this worker. */
  concurrentScans?: number;
  /** Partitions listed at once across all its scans. */
  concurrentPartitions?: number;
  /** Names this worker in its claims; unique unless a test says otherwise. */
  workerId?: string;
  /** How long a claim holds without renewal (SCAN_LEASE_MS); the holder renews it every third of that. */
  leaseMs?: number;
  /** The checkpoint document it keeps its place in. Workers may share one (the default): each only moves it past scans that have ended. */
  checkpointId?: string;
}

/** The workers' place in the log: every ScanRequested at or before it has been run to its end. */
export const SCAN_WORKER_CHECKPOINT = 'scan-worker';
/** How long a worker that stops answering keeps a scan from the others. */
export const SCAN_LEASE_MS = 30_000;
const RETRY_AFTER_FAILURE_MS = 1000;

/** What one go at a scan came to: it has ended (whoever ran it), or the worker looks again after a while. */
type Attempt = 'ended' | { checkBackInMs: number };

/**
 * Follows the log for ScanRequested; workers in any number of processes compete for the scans. A
 * worker runs a scan only once it has claimed it (ScanClaimed, appended at the scan stream's
 * expected revision, so exactly one claim wins) and renews the claim while it runs; a scan claimed
 * by another worker is looked at again when that claim runs out: ended by then, it is done with;
 * still unfinished and unrenewed (its worker died), it is claimed and RESUMED (its unfinished
 * partitions are listed again against the stored state, which yields no duplicate events). A
 * worker that stops gives its claims up, so a restarted process resumes its scans at once.
 *
 * The checkpoint only moves past a scan once it and every earlier one ended, so after a restart a
 * finished scan is skipped and no unfinished one is forgotten. A scan that fails on the store is
 * retried until it ends.
 */
export function startScanWorker(deps: ScanEngineDependencies & { documents: DocumentStore }, options: ScanWorkerOptions = {}): { stop(): Promise<void> } {
  const workerId = options.workerId ?? randomUUID();
  const leaseMs = options.leaseMs ?? SCAN_LEASE_MS;
  const checkpointId = options.checkpointId ?? SCAN_WORKER_CHECKPOINT;
  const stopping = new AbortController();
  const scans = createLimiter(options.concurrentScans ?? 4);
  const overall = createLimiter(options.concurrentPartitions ?? 8);
  const log = deps.logger.child({ worker: 'scans', workerId });
  const running = new Set<Promise<void>>();
  /** Requests in log order, with whether their scan has ended. */
  const inOrder: Array<{ position: Position; done: boolean }> = [];
  let saving = Promise.resolve();

  const advanceCheckpoint = () => {
    let last: Position | undefined;
    while (inOrder[0]?.done) last = inOrder.shift()!.position;
    if (last === undefined) return;
    const position = last;
    saving = saving.then(() => deps.documents.collection<Checkpoint>(CHECKPOINTS).upsert({ _id: checkpointId, position })).catch((error: unknown) => log.error({ err: error }, 'saving the scan checkpoint failed'));
  };

  const context = (request: ScanRequestedData, action: string): CommandContext => ({ commandId: `${request.scanId}:${action}:${randomUUID()}`, actor: 'system', orgId: request.orgId, correlationId: request.scanId });

  /** Claims the scan or renews this worker's claim: undefined when this worker may run it, else until when another holds it. */
  async function claim(request: ScanRequestedData): Promise<{ heldUntil: Date } | undefined> {
    try {
      await handleCommand(deps.events, scan, scanStream(request.scanId), { type: 'ClaimScan', actor: scanWorker, workerId, now: deps.now(), leaseMs }, context(request, 'claim'), deps.now);
      return undefined;
    } catch (error) {
      if (!hasCode(error, 'CONFLICT')) throw error;
      const held = (await loadScan(deps.events, request.scanId)).state.claim;
      return { heldUntil: held ? new Date(held.leaseUntil) : deps.now() };
    }
  }

  /**
   * Runs a scan this worker has claimed, renewing the claim every third of the lease. A claim it
   * cannot renew (taken over, or the store failing) interrupts the run: the scan may have another
   * worker by now. Stopping, it gives the claim up, so the scan need not wait for the lease to run out.
   */
  async function runClaimed(request: ScanRequestedData): Promise<ScanRunResult> {
    const { scanId } = request;
    /** Aborted once the claim is lost or the run is over (so nothing of a run that threw goes on listing). */
    const over = new AbortController();
    let lost = false;
    const renewing = (async () => {
      while (await sleep(leaseMs / 3, over.signal)) {
        const renewed = await claim(request).then(
          (heldBy) => heldBy === undefined,
          (error: unknown) => (log.error({ err: error, scanId }, 'renewing the claim on the scan failed'), false),
        );
        if (renewed) continue;
        log.warn({ scanId }, 'the claim on the scan is lost; the run stops');
        lost = true;
        over.abort();
      }
    })();
    let result: ScanRunResult;
    try {
      result = await runScan(deps, scanId, { signal: AbortSignal.any([stopping.signal, over.signal]), overall });
    } finally {
      over.abort();
      await renewing;
    }
    if (result === 'interrupted' && !lost)
      await handleCommand(deps.events, scan, scanStream(scanId), { type: 'ReleaseClaim', actor: scanWorker, workerId }, context(request, 'release'), deps.now).catch((error: unknown) =>
        log.error({ err: error, scanId }, 'giving up the claim on the scan failed; another worker takes over once it runs out'),
      );
    return result;
  }

  /** One go at a scan, in one of the worker's slots: claim it and run it while the claim holds. */
  async function attempt(request: ScanRequestedData): Promise<Attempt> {
    // A worker that is stopping takes on nothing more.
    if (stopping.signal.aborted) return { checkBackInMs: 0 };
    try {
      const claimed = await claim(request);
      if (claimed) return { checkBackInMs: claimed.heldUntil.getTime() - deps.now().getTime() };
      // Ours, or finished already (the run then only makes sure the connection was released).
      const result = await runClaimed(request);
      return result === 'interrupted' ? { checkBackInMs: 0 } : 'ended';
    } catch (error) {
      if (!stopping.signal.aborted) log.error({ err: error, scanId: request.scanId }, 'scan failed on the store; retrying');
      return { checkBackInMs: RETRY_AFTER_FAILURE_MS };
    }
  }

  /** Goes at the scan until it has ended: true, or false when the worker stops first. Between goes it holds no slot. */
  async function untilEnded(request: ScanRequestedData, started: () => void): Promise<boolean> {
    let result = await scans.run(() => (started(), attempt(request)));
    while (result !== 'ended') {
      if (!(await sleep(result.checkBackInMs, stopping.signal))) return false;
      result = await scans.run(() => attempt(request));
    }
    return true;
  }

  async function follow(): Promise<void> {
    // After a failure, start again from the checkpoint with nothing of the last attempt in flight.
    await Promise.all(running);
    inOrder.length = 0;
    const from = (await deps.documents.getCheckpoint(checkpointId))?.position as Position | undefined;
    const requests = deps.events.subscribeAll({ from, filter: { streamPrefixes: ['scan-'], eventTypes: ['ScanRequested'] }, signal: stopping.signal });
    for await (const requested of requests) {
      const request = parseEventOf(requested, ['ScanRequested'])?.data;
      if (!request) continue;
      const entry = { position: requested.position, done: false };
      inOrder.push(entry);
      // Waiting for a slot here holds back reading further requests: the log is the queue.
      await new Promise<void>((started) => {
        const job = untilEnded(request, started)
          .then((ended) => {
            if (!ended) return;
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
        await sleep(RETRY_AFTER_FAILURE_MS, stopping.signal);
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

/** Waits `ms` unless the signal aborts first: whether it waited the whole time. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
