import { connection, connectionStream } from '../domain/connections/connection.ts';
import { isAppError } from '../domain/errors.ts';
import { aggregateStream } from '../domain/eventsourcing/aggregate-stream.ts';
import { handleCommand, type CommandContext } from '../domain/eventsourcing/decider.ts';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import type { Actor } from '../domain/organizations/actor.ts';
import type { PersonalDataVault } from '../domain/privacy/personal-data.ts';
import { scan, scanStream, type ScanCommand, type ScanPartition, type ScanState } from '../domain/scans/scan.ts';
import type { Logger } from '../infra/logger.ts';
import type { AwsClients, AwsCredentialIdentity } from './aws/clients.ts';
import { classifyAwsError } from './aws/errors.ts';
import { collectors, type Collector } from './collectors/index.ts';
import { ConnectionUnusable, connectionState, scanAccess } from './connection-access.ts';
import { createLimiter, type Limiter } from './limit.ts';
import type { PartitionSnapshots } from '../domain/inventory/partition.ts';
import { scanPartition, type PartitionResult, type StopReason } from './partition-scan.ts';
import { collectorNamed } from './partitions.ts';

export interface ScanEngineDependencies {
  events: EventStore;
  vault: PersonalDataVault;
  aws: AwsClients;
  /** The external id an organisation's roles require. */
  externalId: (orgId: string) => string;
  logger: Logger;
  now: () => Date;
  /** The collectors a scan may run (all of them, unless a test narrows it). */
  collectors?: readonly Collector[];
  /** The partition snapshots read model (projections/inventory/partition-snapshots.ts); without it scans fold whole streams. */
  snapshots?: PartitionSnapshots;
  /** Items per AWS list call; tests use small pages to exercise paging. */
  pageSize?: number;
  /** Resources judged and appended together; tests use 1 so a stop lands mid-listing. */
  resourcesPerPart?: number;
}

/** Partitions of one account listed at once: enough to be quick, few enough not to be throttled by the account's API limits. */
export const PARTITIONS_PER_SCAN = 4;
/** How often a running scan looks for a cancellation request. */
const CANCELLATION_CHECK_MS = 1000;
/** A role session is renewed this long before it expires, so no listing starts on a dying session. */
const CREDENTIALS_MARGIN_MS = 2 * 60_000;

export type ScanRunResult = 'finished' | 'already-finished' | 'interrupted';

/** The actor of every command the scan worker issues: claiming, recording and ending scans, releasing their connections. */
export const scanWorker: Actor = { kind: 'system', process: 'scan-worker' };

export async function loadScan(events: EventStore, scanId: string): Promise<{ state: ScanState; requestedAt: Date | undefined }> {
  let requestedAt: Date | undefined;
  const { state } = await aggregateStream(
    events,
    {
      ...scan,
      evolve: (state: ScanState, event, recorded) => {
        if (event.type === 'ScanRequested') requestedAt = new Date(recorded.metadata.occurredAt);
        return scan.evolve(state, event);
      },
    },
    scanStream(scanId),
  );
  return { state, requestedAt };
}

/**
 * Runs one requested scan to its end: every partition not yet finished is listed (at most
 * PARTITIONS_PER_SCAN at once, within the caller's overall limit) and recorded with its outcome,
 * then the scan is finished and the connection released. A scan that already finished is left
 * alone; one interrupted by `signal` records nothing more and is resumed by the next run, which
 * skips the partitions already finished and lists the others again against the stored state.
 */
export async function runScan(deps: ScanEngineDependencies, scanId: string, options: { signal: AbortSignal; overall: Limiter }): Promise<ScanRunResult> {
  const { events, now } = deps;
  const loaded = await loadScan(events, scanId);
  const request = loaded.state.request;
  if (!request) throw new Error(`scan ${scanId} was never requested`);
  const context = (commandId: string): CommandContext => ({ commandId, actor: 'system', orgId: request.orgId, correlationId: scanId });
  const log = deps.logger.child({ scanId, connectionId: request.connectionId });

  // One writer at a time on the scan stream: partitions finishing together would otherwise collide.
  let scanWrites = Promise.resolve();
  const onScan = (commandId: string, command: ScanCommand) => {
    const write = scanWrites.then(() => handleCommand(events, scan, scanStream(scanId), command, context(`${scanId}:${commandId}`), now).then(() => undefined));
    scanWrites = write.catch(() => undefined);
    return write;
  };
  const release = () => handleCommand(events, connection, connectionStream(request.connectionId), { type: 'ReleaseScan', actor: scanWorker, orgId: request.orgId, scanId }, context(`${scanId}:release`), now);

  if (loaded.state.status) {
    // Finished, but perhaps not released before a restart.
    await release();
    return 'already-finished';
  }

  let lastCheck = 0;
  let cancelled = loaded.state.cancellationRequested;
  const shouldStop = async (): Promise<StopReason | undefined> => {
    if (options.signal.aborted) return 'interrupted';
    if (!cancelled && Date.now() - lastCheck >= CANCELLATION_CHECK_MS) {
      lastCheck = Date.now();
      cancelled = (await loadScan(events, scanId)).state.cancellationRequested;
    }
    return cancelled ? 'cancelled' : undefined;
  };

  const finishPartition = (partition: ScanPartition, result: Exclude<PartitionResult, { outcome: 'interrupted' }>, durationMs: number) =>
    onScan(`partition:${partition.key}`, { type: 'FinishPartition', actor: scanWorker, key: partition.key, ...result, durationMs });

  const pending = request.partitions.filter((p) => !loaded.state.finishedPartitions.has(p.key));
  const credentials = credentialsOf(deps, request.connectionId);
  const unreachable = await credentials.get().then(
    () => undefined,
    (error: unknown) => {
      if (isAppError(error)) throw error;
      return error instanceof ConnectionUnusable ? { outcome: 'failed' as const, code: error.code, message: error.message } : classifyAwsError(error);
    },
  );

  if (unreachable) {
    log.warn({ code: unreachable.code }, 'the account cannot be reached; every partition fails');
    for (const partition of pending)
      await finishPartition(partition, { outcome: unreachable.outcome, errorCode: unreachable.code, message: unreachable.message, discovered: 0, changed: 0, deleted: 0 }, 0);
  } else {
    const perScan = createLimiter(PARTITIONS_PER_SCAN);
    await Promise.all(
      pending.map((partition) =>
        perScan.run(() =>
          options.overall.run(async () => {
            const stop = await shouldStop();
            if (stop === 'interrupted') return;
            if (stop === 'cancelled') return finishPartition(partition, { outcome: 'cancelled', errorCode: null, message: 'The scan was cancelled before this partition started', discovered: 0, changed: 0, deleted: 0 }, 0);
            const collector = collectorNamed(partition.collector, deps.collectors ?? collectors);
            if (!collector)
              return finishPartition(partition, { outcome: 'failed', errorCode: 'UnknownCollector', message: `No collector named ${partition.collector}`, discovered: 0, changed: 0, deleted: 0 }, 0);
            const started = Date.now();
            const result = await scanPartition({
              events,
              aws: deps.aws,
              credentials: credentials.get,
              collector,
              partition,
              scanId,
              connectionId: request.connectionId,
              orgId: request.orgId,
              accountId: request.accountId,
              now,
              shouldStop,
              pageSize: deps.pageSize,
              snapshots: deps.snapshots,
              resourcesPerPart: deps.resourcesPerPart,
            });
            if (result.outcome === 'interrupted') return;
            await finishPartition(partition, result, Date.now() - started);
          }),
        ),
      ),
    );
  }
  await scanWrites;
  if (options.signal.aborted) {
    log.info('scan interrupted; it resumes when the worker starts again');
    return 'interrupted';
  }
  const durationMs = Math.max(0, now().getTime() - (loaded.requestedAt ?? now()).getTime());
  await onScan('finish', { type: 'FinishScan', actor: scanWorker, durationMs });
  await release();
  return 'finished';
}

/** The connection's credentials for this scan: fetched once (a role session), renewed shortly before they expire. */
function credentialsOf(deps: ScanEngineDependencies, connectionId: string) {
  let current: Promise<AwsCredentialIdentity> | undefined;
  const fresh = async () => deps.aws.credentialsFor(await scanAccess(deps.vault, deps.externalId, await connectionState(deps.events, connectionId)));
  return {
    get: async (): Promise<AwsCredentialIdentity> => {
      const held = current ? await current.catch(() => undefined) : undefined;
      if (held && (!held.expiration || held.expiration.getTime() - Date.now() > CREDENTIALS_MARGIN_MS)) return held;
      current = fresh();
      return current;
    },
  };
}
