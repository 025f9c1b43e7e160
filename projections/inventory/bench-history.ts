// A synthetic inventory history for the inventory benches: RESOURCES resources over SCANS hourly
// scans, each resource changing at VERSIONS - 1 random scans after its discovery, 1 in 100 deleted
// at its last one. Generating a million versions through the projection would take minutes, so
// the read-model documents are written in closed form here — and `checkAgainstProjection` proves,
// on a sample, that they are exactly the documents the inventory projection writes for the same
// events.
import type { Position, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import { ensureGeneration, physicalName } from '../generations.ts';
import { inventoryProjection } from './inventory.ts';
import {
  FAR_FUTURE,
  resourceId,
  resourceKey,
  scopeId,
  searchTextOf,
  tagIndexOf,
  type CompletionDocument,
  type CurrentResourceDocument,
  type LiveCountDocument,
  type ResourceState,
  type ResourceVersionDocument,
  type ScopeDocument,
} from './model.ts';
import { applyBatch } from '../runner.ts';

export const ORG = 'org-bench';
export const ACCOUNT = '123456789012';
export const CONNECTION = 'conn-bench';
const REGIONS = ['eu-west-1', 'us-east-1'];
/** Types in proportion: most of an estate is instances and volumes. */
const TYPES = ['ec2:instance', 'ec2:instance', 'ec2:instance', 'ec2:instance', 'ec2:volume', 'ec2:volume', 'ec2:volume', 's3:bucket', 'lambda:function', 'ec2:security-group'];
export const SCAN_START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

export interface HistoryShape {
  resources: number;
  versions: number;
  scans: number;
}

export const scanTime = (scan: number) => new Date(SCAN_START + scan * HOUR).toISOString();

/** A small deterministic generator (mulberry32), so every run builds the same history. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function stateOf(i: number, version: number): ResourceState {
  const type = TYPES[i % TYPES.length]!;
  const region = REGIONS[i % REGIONS.length]!;
  const id = `r-${i.toString(16).padStart(8, '0')}`;
  return {
    arn: `arn:aws:${type.split(':')[0]}:${region}:${ACCOUNT}:${type.split(':')[1]}/${id}`,
    type,
    accountId: ACCOUNT,
    region,
    name: `${type.split(':')[1]}-${i}`,
    tags: { Env: version % 2 ? 'staging' : 'prod', Team: `team-${i % 37}` },
    config: { state: version % 3 === 2 ? 'stopped' : 'running', size: 8 + version, subnetId: `subnet-${i % 16}`, generation: version },
    relationships: [{ kind: 'in-vpc', target: `arn:aws:ec2:${region}:${ACCOUNT}:vpc/vpc-${i % 4}` }],
  };
}

interface Observation {
  resource: number;
  version: number;
  scan: number;
  deleted: boolean;
}

/** Resource i's observations in time order: discovery at scan i % 10, then changes at distinct later scans. */
export function observationsOf(i: number, shape: HistoryShape): Observation[] {
  const next = random(i + 1);
  const first = i % 10;
  const scans = new Set<number>();
  while (scans.size < shape.versions - 1) scans.add(first + 1 + Math.floor(next() * (shape.scans - first - 1)));
  const times = [first, ...[...scans].sort((a, b) => a - b)];
  const deletedAtEnd = i % 100 === 99;
  return times.map((scan, version) => ({ resource: i, version, scan, deleted: deletedAtEnd && version === times.length - 1 }));
}

const eventIdOf = (o: Observation) => `e-${o.resource}-${o.version}`;
/** Log positions: observations are appended scan by scan, resources in order within a scan. */
const positionOf = (o: Observation, shape: HistoryShape) => String(o.scan * shape.resources * shape.versions + o.resource * shape.versions + o.version + 1).padStart(20, '0');

/** The events the scanner would have appended for these resources, in log order. */
export function eventsOf(resources: number[], shape: HistoryShape): RecordedEvent[] {
  const all = resources.flatMap((i) => observationsOf(i, shape));
  all.sort((a, b) => positionOf(a, shape).localeCompare(positionOf(b, shape)));
  return all.map((o) => {
    const state = stateOf(o.resource, o.version);
    const common = { arn: state.arn, type: state.type, observedAt: scanTime(o.scan), scanId: `scan-${o.scan}`, connectionId: CONNECTION };
    const type = o.deleted ? 'ResourceDeleted' : o.version === 0 ? 'ResourceDiscovered' : 'ResourceChanged';
    const data = o.deleted ? common : { ...common, resource: state, fingerprint: `fp-${o.resource}-${o.version}`, ...(o.version ? { changedPaths: ['config.generation'] } : {}) };
    return {
      eventId: eventIdOf(o),
      type,
      data,
      metadata: { occurredAt: scanTime(o.scan), actor: 'system', orgId: ORG, correlationId: `scan-${o.scan}`, causationId: `scan-${o.scan}` },
      stream: `inventory-${CONNECTION}-${state.region}-${state.type}`,
      revision: 0n,
      position: positionOf(o, shape) as Position,
    };
  });
}

/** The inventory documents of resources [from, to), in closed form. */
function documentsOf(from: number, to: number, shape: HistoryShape) {
  const versions: ResourceVersionDocument[] = [];
  const current: CurrentResourceDocument[] = [];
  for (let i = from; i < to; i++) {
    const observations = observationsOf(i, shape);
    const first = stateOf(i, 0);
    const id = resourceId(ORG, first.arn);
    observations.forEach((o, n) => {
      const live = !o.deleted;
      const state = stateOf(i, live ? o.version : observations[n - 1]!.version);
      const next = observations[n + 1];
      const version: ResourceVersionDocument = {
        _id: `${id}:${eventIdOf(o)}`,
        orgId: ORG,
        resourceId: id,
        key: resourceKey(state.arn),
        connectionId: CONNECTION,
        accountId: ACCOUNT,
        region: state.region,
        type: state.type,
        arn: state.arn,
        name: state.name,
        search: searchTextOf(state),
        tagIndex: tagIndexOf(state.tags),
        resource: live ? state : null,
        fingerprint: live ? `fp-${i}-${o.version}` : null,
        changedPaths: live && o.version ? ['config.generation'] : [],
        live,
        kind: o.deleted ? 'deleted' : o.version === 0 ? 'discovered' : 'changed',
        validFrom: scanTime(o.scan),
        validTo: next ? scanTime(next.scan) : FAR_FUTURE,
        position: positionOf(o, shape),
        scanId: `scan-${o.scan}`,
      };
      versions.push(version);
      if (!next && live) {
        current.push({
          _id: id,
          orgId: ORG,
          key: version.key,
          connectionId: CONNECTION,
          accountId: ACCOUNT,
          region: state.region,
          type: state.type,
          arn: state.arn,
          name: state.name,
          search: version.search,
          tags: state.tags,
          tagIndex: version.tagIndex,
          resource: state,
          fingerprint: version.fingerprint!,
          versionId: version._id,
          firstSeenAt: scanTime(observations[0]!.scan),
          lastChangedAt: version.validFrom,
        });
      }
    });
  }
  return { versions, current };
}

/** Scopes, live counts and completions for resources [0, n): counts move at discoveries and deletions. */
function aggregatesOf(n: number, shape: HistoryShape) {
  const deltas = new Map<string, Map<number, number>>();
  const scopes = new Map<string, ScopeDocument>();
  for (let i = 0; i < n; i++) {
    const { type, region } = stateOf(i, 0);
    const scope = scopeId(ORG, ACCOUNT, region, type);
    scopes.set(scope, { _id: scope, orgId: ORG, accountId: ACCOUNT, region, type });
    const byScan = deltas.get(scope) ?? new Map<number, number>();
    deltas.set(scope, byScan);
    for (const o of observationsOf(i, shape)) {
      const delta = o.version === 0 ? 1 : o.deleted ? -1 : 0;
      if (delta) byScan.set(o.scan, (byScan.get(o.scan) ?? 0) + delta);
    }
  }
  const counts: LiveCountDocument[] = [];
  for (const [scope, byScan] of deltas) {
    let live = 0;
    for (const scan of [...byScan.keys()].sort((a, b) => a - b)) {
      live += byScan.get(scan)!;
      counts.push({ _id: `${scope}@${scanTime(scan)}`, scopeId: scope, orgId: ORG, at: scanTime(scan), live, position: '' });
    }
  }
  const completions: CompletionDocument[] = [];
  for (const scope of scopes.values())
    for (let scan = 0; scan < shape.scans; scan++)
      completions.push({ _id: `${scope._id}@scan-${scan}`, scopeId: scope._id, orgId: ORG, accountId: ACCOUNT, region: scope.region, type: scope.type, completedAt: scanTime(scan), scanId: `scan-${scan}` });
  return { scopes: [...scopes.values()], counts, completions };
}

/** Writes the whole history into generation 1 of the inventory read models, in batches. */
export async function writeHistory(documents: DocumentStore, shape: HistoryShape): Promise<void> {
  await ensureGeneration(documents, inventoryProjection, 1);
  const collection = <T extends Document>(name: string) => documents.collection<T>(physicalName('inventory', name, 1));
  const BATCH = 2_000;
  for (let from = 0; from < shape.resources; from += BATCH) {
    const { versions, current } = documentsOf(from, Math.min(shape.resources, from + BATCH), shape);
    await documents.unitOfWork(async (tx) => {
      await tx.collection<ResourceVersionDocument>(physicalName('inventory', 'versions', 1)).bulk(versions.map((upsert) => ({ upsert })));
      await tx.collection<CurrentResourceDocument>(physicalName('inventory', 'current', 1)).bulk(current.map((upsert) => ({ upsert })));
    });
  }
  const { scopes, counts, completions } = aggregatesOf(shape.resources, shape);
  await collection<ScopeDocument>('scopes').bulk(scopes.map((upsert) => ({ upsert })));
  await collection<LiveCountDocument>('live_counts').bulk(counts.map((upsert) => ({ upsert })));
  await collection<CompletionDocument>('completions').bulk(completions.map((upsert) => ({ upsert })));
}

/**
 * The closed form against the projection itself, for the first `sample` resources: versions and
 * current documents must be identical, and live counts equal at every scan.
 */
export async function checkAgainstProjection(documents: DocumentStore, shape: HistoryShape, sample: number): Promise<void> {
  await ensureGeneration(documents, inventoryProjection, 1);
  const resources = Array.from({ length: sample }, (_, i) => i);
  await applyBatch({ documents }, inventoryProjection, 1, eventsOf(resources, shape), { mustBeActive: false });
  const collection = <T extends Document>(name: string) => documents.collection<T>(physicalName('inventory', name, 1));
  const expected = documentsOf(0, sample, shape);
  const byId = <T extends Document>(docs: T[]) => [...docs].sort((a, b) => (a._id < b._id ? -1 : 1));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(byId(await collection<ResourceVersionDocument>('versions').find()), byId(expected.versions))) throw new Error('inventory bench: generated versions differ from the projection');
  if (!same(byId(await collection<CurrentResourceDocument>('current').find()), byId(expected.current))) throw new Error('inventory bench: generated current inventory differs from the projection');
  const counts = await collection<LiveCountDocument>('live_counts').find();
  const { counts: generated } = aggregatesOf(sample, shape);
  const liveAt = (docs: LiveCountDocument[], scope: string, at: string) => docs.filter((d) => d.scopeId === scope && d.at <= at).sort((a, b) => (a.at < b.at ? 1 : -1))[0]?.live ?? 0;
  for (const scope of new Set(generated.map((c) => c.scopeId)))
    for (let scan = 0; scan < shape.scans; scan++)
      if (liveAt(counts, scope, scanTime(scan)) !== liveAt(generated, scope, scanTime(scan))) throw new Error(`inventory bench: live counts differ from the projection (${scope} at scan ${scan})`);
}
