// scan-diff: one partition of 100,000 resources re-scanned with 5 % changed, 1 % new and 1 % gone,
// diffed and appended by the engine's own scanPartition (snapshot + fold of the events after it,
// decide, bounded appends) fed by a synthetic collector, against the bare work: a fold of the whole
// stream, the same fingerprints and diffs, raw better-sqlite3 inserts in batches. The snapshot read
// model is brought up to date after the seed, untimed, as the running application keeps it. Each side runs in its own child process, so its peak RSS
// (getrusage maxRSS) is that of the diff+append step alone, not of the bench that came before.
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { partitionKey } from '../domain/scans/scan.ts';
import type { AwsClients } from './aws/clients.ts';
import type { Collector } from './collectors/index.ts';
import { changedPaths, fingerprint } from './fingerprint.ts';
import { scanPartition } from './partition-scan.ts';
import { normalise } from './resource.ts';
import { type NormalizedResource } from '../domain/inventory/resource.ts';
import { partitionSnapshots, partitionSnapshotsProjection } from '../projections/inventory/partition-snapshots.ts';
import { ensureGeneration } from '../projections/generations.ts';
import { applyBatch } from '../projections/runner.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { result, timed, type BenchResult } from '../infra/bench/report.ts';

const RESOURCES = 100_000;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const COLLECTOR = 'ec2-instances';
const CONNECTION = 'bench-connection';
const STREAM = `inventory-${CONNECTION}-${REGION}-${COLLECTOR}`;
const BATCH = 500;

/** 1 in 100 gone, 5 in 100 changed, and 1,000 new ones after the old range: 7,000 events expected. */
const isGone = (i: number) => i % 100 === 0;
const isChanged = (i: number) => i % 20 === 1;
const EXPECTED = { discovered: RESOURCES / 100, changed: RESOURCES / 20, deleted: RESOURCES / 100 };

/**
 * An instance-sized resource (~900 bytes of JSON); `changed` moves its state and one tag. Written in
 * normalised form, as a collector hands it over (the collector's own normalise() is its cost, not
 * the diff's); `assertNormalised` checks that it is.
 */
function resourceAt(i: number, changed: boolean): NormalizedResource {
  const id = `i-${i.toString(16).padStart(17, '0')}`;
  const arn = (kind: string, x: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${kind}/${x}`;
  return {
    arn: arn('instance', id),
    type: 'ec2:instance',
    accountId: ACCOUNT,
    region: REGION,
    name: `web-${i}`,
    tags: { Env: changed ? 'staging' : 'prod', Name: `web-${i}`, Team: `team-${i % 37}` },
    config: {
      availabilityZone: `${REGION}a`,
      blockDevices: [{ deleteOnTermination: true, device: '/dev/xvda', volumeId: `vol-${id.slice(2)}` }],
      imageId: 'ami-12c6146b',
      instanceId: id,
      instanceType: 't3.micro',
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required' },
      privateIpAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      securityGroupIds: [`sg-${i % 8}`],
      state: changed ? 'stopped' : 'running',
      subnetId: `subnet-${i % 16}`,
      vpcId: 'vpc-0abc',
    },
    relationships: [
      { kind: 'in-subnet', target: arn('subnet', `subnet-${i % 16}`) },
      { kind: 'in-vpc', target: arn('vpc', 'vpc-0abc') },
      { kind: 'uses-security-group', target: arn('security-group', `sg-${i % 8}`) },
    ],
  };
}

function assertNormalised(): void {
  for (const resource of [resourceAt(1, true), resourceAt(70_000, false)])
    if (JSON.stringify(normalise(resource)) !== JSON.stringify(resource)) throw new Error('scan-diff: the synthetic resources are not in normalised form');
}

/** Built lazily, as a collector builds resources from pages: the step never holds the whole listing. */
function* firstListing(): Generator<NormalizedResource> {
  for (let i = 0; i < RESOURCES; i++) yield resourceAt(i, false);
}
function* secondListing(): Generator<NormalizedResource> {
  for (let i = 0; i < RESOURCES; i++) if (!isGone(i)) yield resourceAt(i, isChanged(i));
  for (let i = RESOURCES; i < RESOURCES + EXPECTED.discovered; i++) yield resourceAt(i, false);
}

const readModelsOf = (file: string) => file.replace(/\.db$/, '-read-models.db');

/** The partition snapshots read model, as the running application keeps it, brought up to date with the log. */
async function projectSnapshots(file: string): Promise<void> {
  const events = openSqliteEventStore(file);
  const documents = openSqliteDocumentStore(readModelsOf(file));
  try {
    await ensureGeneration(documents, partitionSnapshotsProjection, 1);
    let batch: RecordedEvent[] = [];
    for await (const event of events.readAll()) {
      batch.push(event);
      if (batch.length < BATCH) continue;
      await applyBatch({ documents }, partitionSnapshotsProjection, 1, batch, { mustBeActive: false });
      batch = [];
    }
    await applyBatch({ documents }, partitionSnapshotsProjection, 1, batch, { mustBeActive: false });
  } finally {
    await documents.close();
    await events.close();
  }
}

/** The engine's partition scan with a collector that replays a listing instead of calling AWS. */
async function enginePartition(file: string, scanId: string, listing: () => Iterable<NormalizedResource>, { withSnapshots = false } = {}) {
  const collector: Collector = {
    name: COLLECTOR,
    scope: 'regional',
    types: ['ec2:instance'],
    async *collect() {
      yield* listing();
    },
  };
  const events = openSqliteEventStore(file);
  const documents = withSnapshots ? openSqliteDocumentStore(readModelsOf(file)) : undefined;
  try {
    const outcome = await scanPartition({
      events,
      // Never called: the synthetic collector is the only thing that would use AWS.
      aws: undefined as unknown as AwsClients,
      credentials: async () => ({ accessKeyId: 'bench', secretAccessKey: 'bench' }),
      collector,
      partition: { key: partitionKey(REGION, COLLECTOR), region: REGION, collector: COLLECTOR, types: ['ec2:instance'] },
      scanId,
      connectionId: CONNECTION,
      orgId: 'org-bench',
      accountId: ACCOUNT,
      now: () => new Date(),
      shouldStop: async () => undefined,
      snapshots: documents && partitionSnapshots(documents),
    });
    if (outcome.outcome !== 'ok') throw new Error(`partition scan ended ${JSON.stringify(outcome)}`);
    return { discovered: outcome.discovered, changed: outcome.changed, deleted: outcome.deleted };
  } finally {
    await documents?.close();
    await events.close();
  }
}

/** The bare work: fold arn → fingerprint from the rows, fingerprint and diff each resource, insert the events in batches. */
function bareDiff(file: string, scanId: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  try {
    const known = new Map<string, { fingerprint: string; revision: number }>();
    let revision = -1;
    for (const row of db.prepare<[string], { revision: number; type: string; data: string }>('SELECT revision, type, data FROM events WHERE stream = ? ORDER BY revision').iterate(STREAM)) {
      const data = JSON.parse(row.data) as { arn: string; fingerprint: string };
      revision = row.revision;
      if (row.type === 'ResourceDeleted') known.delete(data.arn);
      else known.set(data.arn, { fingerprint: data.fingerprint, revision: row.revision });
    }
    const previousAt = db.prepare<[string, number], { data: string }>('SELECT data FROM events WHERE stream = ? AND revision = ?');
    const insert = db.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const metadata = JSON.stringify({ occurredAt: new Date().toISOString(), actor: 'system', orgId: 'org-bench', correlationId: scanId, causationId: scanId });
    const insertBatch = db.transaction((batch: Array<[string, string]>) => {
      for (const [type, data] of batch) insert.run(STREAM, ++revision, `${scanId}-${revision}`, type, data, metadata);
    });
    const counts = { discovered: 0, changed: 0, deleted: 0 };
    let batch: Array<[string, string]> = [];
    const emit = (type: string, data: object) => {
      batch.push([type, JSON.stringify(data)]);
      if (batch.length < BATCH) return;
      insertBatch.immediate(batch);
      batch = [];
    };
    const observedAt = new Date().toISOString();
    const seen = new Set<string>();
    for (const resource of secondListing()) {
      const { arn, type } = resource;
      seen.add(arn);
      const print = fingerprint(resource);
      const was = known.get(arn);
      if (was?.fingerprint === print) continue;
      if (!was) {
        counts.discovered++;
        emit('ResourceDiscovered', { arn, type, resource, fingerprint: print, observedAt, scanId });
        continue;
      }
      const previous = (JSON.parse(previousAt.get(STREAM, was.revision)!.data) as { resource: NormalizedResource }).resource;
      counts.changed++;
      emit('ResourceChanged', { arn, type, resource, fingerprint: print, changedPaths: changedPaths(previous, resource), observedAt, scanId });
    }
    for (const arn of known.keys()) {
      if (seen.has(arn)) continue;
      counts.deleted++;
      emit('ResourceDeleted', { arn, type: 'ec2:instance', observedAt, scanId });
    }
    if (batch.length > 0) insertBatch.immediate(batch);
    return counts;
  } finally {
    db.close();
  }
}

// ---- child side: one step per process, reporting its own time and peak RSS on stdout ----

const MB = 1024 * 1024;

async function child(mode: string, file: string): Promise<void> {
  assertNormalised();
  if (mode === 'seed') {
    await enginePartition(file, 'scan-seed', firstListing);
    await projectSnapshots(file);
    return;
  }
  const rssBeforeMb = process.memoryUsage().rss / MB;
  let counts: unknown;
  const seconds = await timed(async () => {
    counts = mode === 'ours' ? await enginePartition(file, 'scan-diff', secondListing, { withSnapshots: true }) : bareDiff(file, 'scan-diff');
  });
  // maxRSS is the kernel's high-water mark for this process (KiB): the step's peak, start-up included.
  const peakRssMb = (process.resourceUsage().maxRSS * 1024) / MB;
  console.log(JSON.stringify({ seconds, peakRssMb, rssBeforeMb, counts }));
}

interface StepReport {
  seconds: number;
  peakRssMb: number;
  rssBeforeMb: number;
  counts: typeof EXPECTED;
}

const run = promisify(execFile);
async function inChild(mode: string, file: string): Promise<StepReport> {
  // The same loader tsx gave this process (its execArgv), so the child runs this .ts file as is.
  const { stdout } = await run(process.execPath, [...process.execArgv, import.meta.filename, 'scan-diff-child', mode, file], { maxBuffer: 16 * MB });
  return JSON.parse(stdout.trim().split('\n').pop() || 'null') as StepReport;
}

export async function scanDiffBenches(dir: string): Promise<BenchResult[]> {
  // Seeded once by the engine (100,000 discoveries); the baseline works on a byte-identical copy.
  const ours = join(dir, 'scan-diff.db');
  const bare = join(dir, 'scan-diff-bare.db');
  await inChild('seed', ours);
  copyFileSync(ours, bare);
  const engine = await inChild('ours', ours);
  const baseline = await inChild('baseline', bare);
  for (const [who, step] of [['engine', engine], ['baseline', baseline]] as const) {
    if (JSON.stringify(step.counts) !== JSON.stringify(EXPECTED)) throw new Error(`scan-diff ${who} recorded ${JSON.stringify(step.counts)}, expected ${JSON.stringify(EXPECTED)}`);
  }
  const round = (n: number) => Math.round(n);
  return [
    result('scan-diff', 's', engine.seconds, baseline.seconds, '<= 2 s, <= 400 MB peak RSS', {
      peakRssMb: round(engine.peakRssMb),
      rssBeforeMb: round(engine.rssBeforeMb),
      baselinePeakRssMb: round(baseline.peakRssMb),
    }),
  ];
}

if (process.argv[2] === 'scan-diff-child') await child(process.argv[3]!, process.argv[4]!);
