import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import { countedAs, type PartitionSnapshot } from '../../domain/inventory/partition.ts';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import type { Projection } from '../projection.ts';

/**
 * What the scanner compares a listing with, kept so it need not fold a partition's whole stream on
 * every scan (a stream only grows: a year of hourly changes is millions of events). Per stream, the
 * fingerprint of each live resource and the revision it was recorded at, and the stream's revision
 * these reflect. The scanner reads the snapshot, then folds only the events after it: a snapshot
 * that lags is slower, never wrong.
 */
interface FingerprintDocument extends Document {
  stream: string;
  arn: string;
  type: string;
  fingerprint: string;
  revision: number;
}

interface HeadDocument extends Document {
  revision: number;
  /** The scan that wrote the stream's last event, and how many events of each kind it wrote there. */
  scanId: string;
  counts: { discovered: number; changed: number; deleted: number };
}


const OBSERVATIONS = ['ResourceDiscovered', 'ResourceChanged', 'ResourceDeleted'] as const;
const fingerprintId = (stream: string, arn: string) => `${stream}\u0000${arn}`;
const SNAPSHOT_PAGE = 5000;

export const partitionSnapshotsProjection: Projection = {
  name: 'partition_snapshots',
  filter: { streamPrefixes: ['inventory-'], eventTypes: OBSERVATIONS },
  collections: {
    fingerprints: { indexes: [{ name: 'by_stream', fields: [['stream', 1], ['_id', 1]] }] },
    heads: {},
  },
  async apply(recorded, model) {
    const event = parseEventOf(recorded, OBSERVATIONS);
    if (!event) return;
    const { stream } = recorded;
    const revision = Number(recorded.revision);
    const heads = model.collection<HeadDocument>('heads');
    const head = await heads.get(stream);
    // A stream's events arrive in order: one at or before the head has been applied already.
    if (head && head.revision >= revision) return;
    const fingerprints = model.collection<FingerprintDocument>('fingerprints');
    if (event.type === 'ResourceDeleted') await fingerprints.deleteMany({ _id: fingerprintId(stream, event.data.arn) });
    else await fingerprints.upsert({ _id: fingerprintId(stream, event.data.arn), stream, arn: event.data.arn, type: event.data.type, fingerprint: event.data.fingerprint, revision });
    const { scanId } = event.data;
    const counts = head?.scanId === scanId ? { ...head.counts } : { discovered: 0, changed: 0, deleted: 0 };
    counts[countedAs[event.type]] += 1;
    // Written last: on a store without transactions the fingerprints are never behind their head.
    await heads.upsert({ _id: stream, revision, scanId, counts });
  },
};

/** The latest snapshot of an inventory stream, or undefined when there is none yet. */
export const partitionSnapshots =
  (store: DocumentStore) =>
  async (stream: string): Promise<PartitionSnapshot | undefined> => {
    const head = await (await readModel<HeadDocument>(store, 'partition_snapshots', 'heads')).get(stream);
    if (!head) return undefined;
    // Read after the head: they reflect it or later, and folding the events after the head again is harmless.
    const fingerprints = await readModel<FingerprintDocument>(store, 'partition_snapshots', 'fingerprints');
    const known: PartitionSnapshot['known'] = new Map();
    // In pages, so a partition of 100,000 resources is never held twice (documents and map) at once.
    for (let after = ''; ; ) {
      const page = await fingerprints.find({ stream, _id: { $gt: after } }, { sort: [['_id', 1]], limit: SNAPSHOT_PAGE });
      for (const d of page) known.set(d.arn, { type: d.type, fingerprint: d.fingerprint, revision: BigInt(d.revision) });
      if (page.length < SNAPSHOT_PAGE) break;
      after = page.at(-1)!._id;
    }
    return { revision: BigInt(head.revision), known, lastScan: { scanId: head.scanId, ...head.counts } };
  };
