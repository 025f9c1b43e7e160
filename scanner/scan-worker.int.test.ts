import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connection, connectionStream } from '../domain/connections/connection.ts';
import { StoreUnavailableError } from '../domain/errors.ts';
import { handleCommand } from '../domain/eventsourcing/decider.ts';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { userActor } from '../domain/organizations/actor.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import { scan, scanStream, type ScanClaim, type ScanEvent } from '../domain/scans/scan.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { externalIds } from '../infra/keys/external-id.ts';
import { createVault } from '../infra/keys/vault.ts';
import { createLogger } from '../infra/logger.ts';
import { startMoto } from '../infra/testing/peers.ts';
import { createAwsClients } from './aws/clients.ts';
import { loadScan, type ScanEngineDependencies } from './run-scan.ts';
import { requestScan } from './scan-requests.ts';
import { SCAN_WORKER_CHECKPOINT, startScanWorker, type ScanWorkerOptions } from './scan-worker.ts';
import { seedAccount } from './testing/seed-account.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`scan worker tests skipped: ${moto.reason}`);

const REGIONS = ['eu-west-1', 'us-east-1'];
/** Short, so a takeover happens within the test; the holder renews every third of it. */
const LEASE_MS = 1000;
const newAccountId = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

type Deps = ScanEngineDependencies & { documents: DocumentStore };

/**
 * Two scanner processes as the stores see them: two event store connections to one SQLite file
 * (appends from one reach the other's subscription only through the file) and one document store.
 */
function twoProcesses(motoUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cv-scan-workers-'));
  const file = join(dir, 'events.db');
  const stores = [openSqliteEventStore(file), openSqliteEventStore(file)] as const;
  const documents = openSqliteDocumentStore(join(dir, 'documents.db'));
  const masterKey = randomBytes(32);
  const now = () => new Date();
  const shared = { documents, vault: createVault(documents, masterKey), aws: createAwsClients({ endpoint: motoUrl, maxAttempts: 2 }), externalId: externalIds(masterKey), logger: createLogger('silent'), now };
  const events = stores[0];
  return {
    deps: stores.map((store) => ({ ...shared, events: store })) as [Deps, Deps],
    events,
    documents,
    async connect(accountId: string) {
      const orgId = `org-${randomUUID()}`;
      const connectionId = randomUUID();
      const check = { accountId, alias: null, enabledRegions: REGIONS };
      const access = { method: 'role' as const, roleArn: `arn:aws:iam::${accountId}:role/CloudventoryReadOnly` };
      await handleCommand(
        events,
        connection,
        connectionStream(connectionId),
        { type: 'CreateConnection', connectionId, orgId, name: 'Scanned', access, check, regions: REGIONS, actor: userActor('user-1', 'owner'), creatorVerified: true, now: now() },
        { commandId: randomUUID(), actor: 'user-1', orgId },
        now,
      );
      return { orgId, connectionId };
    },
    async scanEvents(scanId: string): Promise<ScanEvent[]> {
      const recorded: ScanEvent[] = [];
      for await (const event of events.readStream(scanStream(scanId))) recorded.push(scan.events.parse(event));
      return recorded;
    },
    async inventory(connectionId: string): Promise<RecordedEvent[]> {
      const found: RecordedEvent[] = [];
      for await (const event of events.readAll({ filter: { streamPrefixes: [`inventory-${connectionId}-`] } })) found.push(event);
      return found;
    },
    /** When the scan's event at this revision was recorded. */
    async occurredAt(scanId: string, revision: number): Promise<string> {
      for await (const event of events.readStream(`scan-${scanId}`, { from: BigInt(revision), max: 1 })) return event.metadata.occurredAt;
      throw new Error(`scan ${scanId} has no event ${revision}`);
    },
    async checkpoint(id: string): Promise<Position | undefined> {
      return (await documents.getCheckpoint(id))?.position as Position | undefined;
    },
    async close() {
      await Promise.all([...stores.map((store) => store.close()), documents.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One process's connection to the event store, under the test's control: after recording
 * `appendsBeforePause` inventory appends, its listing waits until `resume()` (its claims are
 * renewed meanwhile); after `die()` every write fails, so its claim is never renewed again.
 */
function controlled(store: EventStore, appendsBeforePause: number) {
  let dead = false;
  let appends = 0;
  let resume = () => {};
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  const append: EventStore['append'] = async (stream, events, options) => {
    if (stream.startsWith('inventory-') && appends++ >= appendsBeforePause) await resumed;
    if (dead) throw new StoreUnavailableError('this process is dead');
    return store.append(stream, events, options);
  };
  return { events: { ...store, append }, resume, die: () => (dead = true) };
}

const claimsOf = (events: readonly ScanEvent[]): ScanClaim[] => events.flatMap((e) => (e.type === 'ScanClaimed' ? [e.data] : []));
const finishedOf = (events: readonly ScanEvent[]) => events.find((e): e is Extract<ScanEvent, { type: 'ScanFinished' }> => e.type === 'ScanFinished')?.data;
/** Each ARN's events: a resource's first scan records it once, so any second event would be a duplicate. */
const arnsOf = (events: readonly RecordedEvent[]) => events.map((e) => (e.data as { arn: string }).arn).sort();

describe.runIf(moto.peer)('scan workers in two processes', () => {
  const aws = createAwsClients({ endpoint: moto.peer?.url, maxAttempts: 2 });
  let world: ReturnType<typeof twoProcesses>;
  const workers: Array<{ stop(): Promise<void> }> = [];
  const start = (deps: Deps, options: ScanWorkerOptions) => {
    const worker = startScanWorker(deps, { leaseMs: LEASE_MS, ...options });
    workers.push(worker);
    return worker;
  };

  beforeEach(() => {
    world = twoProcesses(moto.peer!.url);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await world.close();
  });

  const finished = (scanId: string) => waitUntil(async () => (await loadScan(world.events, scanId)).state.status !== undefined, 60_000);

  it('runs each scan in exactly one of them, and both move their checkpoints past every request', async () => {
    // One scan at a time each, and neither lists anything before both hold a scan: each is left to claim a scan the other does not hold.
    const stores = world.deps.map((deps, index) => {
      const store = controlled(deps.events, 0);
      start({ ...deps, events: store.events }, { workerId: `worker-${'ab'[index]}`, checkpointId: `scan-worker-${'ab'[index]}`, concurrentScans: 1 });
      return store;
    });

    const connections = await Promise.all([1, 2, 3, 4].map(() => world.connect(newAccountId())));
    const requests = await Promise.all(connections.map(({ orgId, connectionId }) => requestScan(world.deps[0], { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' })));
    await waitUntil(async () => {
      const claimants = await Promise.all(requests.map(async ({ scanId }) => claimsOf(await world.scanEvents(scanId)).map((claim) => claim.workerId)));
      return new Set(claimants.flat()).size === 2;
    });
    for (const { resume } of stores) resume();
    for (const { scanId } of requests) await finished(scanId);

    const runBy = new Map<string, string>();
    for (const [index, { scanId }] of requests.entries()) {
      const scanEvents = await world.scanEvents(scanId);
      const claimants = new Set(claimsOf(scanEvents).map((claim) => claim.workerId));
      expect(claimants.size, `scan ${scanId} was claimed by ${[...claimants].join(', ')}`).toBe(1);
      runBy.set(scanId, [...claimants][0]!);
      expect(scanEvents.filter((e) => e.type === 'ScanFinished')).toHaveLength(1);
      expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed' });
      const partitions = scanEvents.filter((e) => e.type === 'PartitionFinished').map((e) => e.data.key);
      expect(new Set(partitions).size).toBe(partitions.length);

      const arns = arnsOf(await world.inventory(connections[index]!.connectionId));
      expect(arns.length).toBeGreaterThan(0);
      expect(new Set(arns).size).toBe(arns.length);
      expect(finishedOf(scanEvents)?.discovered).toBe(arns.length);
    }
    // The work was shared: each worker ran some of the scans.
    expect(new Set(runBy.values())).toEqual(new Set(['worker-a', 'worker-b']));

    // The one that did not run a scan moves past it once it sees it ended (at the latest when the claim it saw runs out).
    const last = requests.map((r) => r.position).sort(comparePositions).at(-1)!;
    for (const id of ['scan-worker-a', 'scan-worker-b'])
      await waitUntil(async () => {
        const position = await world.checkpoint(id);
        return position !== undefined && comparePositions(position, last) >= 0;
      }, 5 * LEASE_MS);
  }, 120_000);

  it.each([
    ['stops', 'stop()'],
    ['dies', 'its writes fail, so its claim is never renewed'],
  ] as const)('takes over a scan whose worker %s mid-scan (%s) and completes it, with no change event doubled or lost', async (ending, _how) => {
    const [a] = world.deps;
    const accountId = newAccountId();
    const owner = await aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${accountId}:role/Admin`, externalId: 'owner' });
    const seeded = await seedAccount(aws, owner, accountId, { primary: REGIONS[0]!, secondary: REGIONS[1]! });
    const { orgId, connectionId } = await world.connect(accountId);

    // One resource per append and one partition at a time, so the scan is left mid-listing.
    const processes = new Map(
      world.deps.map((deps, index) => {
        const workerId = `worker-${'ab'[index]}`;
        const store = controlled(deps.events, 1);
        return [workerId, { ...store, worker: start({ ...deps, events: store.events, resourcesPerPart: 1 }, { workerId, concurrentPartitions: 1 }) }];
      }),
    );
    const { scanId, position } = await requestScan(a, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' });
    // Once the holder has renewed its claim, the other has long seen the request (a poll of the file) and found the scan claimed.
    await waitUntil(async () => claimsOf(await world.scanEvents(scanId)).length >= 2);
    const holder = claimsOf(await world.scanEvents(scanId))[0]!.workerId;
    const other = holder === 'worker-a' ? 'worker-b' : 'worker-a';

    const { worker, die } = processes.get(holder)!;
    if (ending === 'stops') {
      const stopped = worker.stop();
      for (const { resume } of processes.values()) resume();
      await stopped;
    } else {
      die();
      for (const { resume } of processes.values()) resume();
    }
    const before = (await world.inventory(connectionId)).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(seeded.resources.size);
    await finished(scanId);

    const scanEvents = await world.scanEvents(scanId);
    const claims = claimsOf(scanEvents);
    const takeover = scanEvents.findIndex((e) => e.type === 'ScanClaimed' && e.data.workerId === other);
    expect(claims.at(-1)?.workerId).toBe(other);
    // The holder lost the scan for good, and only once its last claim had run out or, stopping, it gave the claim up.
    expect(scanEvents.slice(takeover).some((e) => e.type === 'ScanClaimed' && e.data.workerId === holder)).toBe(false);
    const lastOfHolder = claims.filter((claim) => claim.workerId === holder).at(-1)!;
    if (ending === 'stops') expect(scanEvents[takeover - 1]).toEqual({ type: 'ScanClaimReleased', data: { workerId: holder } });
    else expect(Date.parse(await world.occurredAt(scanId, takeover))).toBeGreaterThanOrEqual(Date.parse(lastOfHolder.leaseUntil));

    const inventory = await world.inventory(connectionId);
    expect(arnsOf(inventory)).toEqual([...seeded.resources.keys()].sort());
    expect(inventory.every((e) => e.type === 'ResourceDiscovered')).toBe(true);
    expect(scanEvents.filter((e) => e.type === 'ScanFinished')).toHaveLength(1);
    const partitions = scanEvents.filter((e) => e.type === 'PartitionFinished');
    expect(new Set(partitions.map((e) => e.data.key)).size).toBe(partitions.length);
    expect(partitions.every((e) => e.data.outcome === 'ok')).toBe(true);
    // The counts include what the scan recorded before the takeover: a resumed partition counts on.
    expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed', discovered: seeded.resources.size, changed: 0, deleted: 0 });

    // The checkpoint both share ends past the request.
    await waitUntil(async () => {
      const checkpoint = await world.checkpoint(SCAN_WORKER_CHECKPOINT);
      return checkpoint !== undefined && comparePositions(checkpoint, position) >= 0;
    }, 5 * LEASE_MS);
  }, 120_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
