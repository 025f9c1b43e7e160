import type { Document } from '../../domain/read-models/document-store.ts';
import type { Projection } from '../projection.ts';

interface StreamTotal extends Document {
  events: number;
  lastRevision: number;
  checksum: number;
}

/**
 * A deliberately non-idempotent projection for crash tests: it counts by read-modify-write, so a
 * batch applied twice, or applied without its checkpoint, shows up as a wrong total.
 */
export const streamTotals: Projection = {
  name: 'streamtotals',
  collections: { totals: { indexes: [{ name: 'by_events', fields: [['events', -1]] }] } },
  async apply(event, model) {
    const totals = model.collection<StreamTotal>('totals');
    for (const id of [event.stream, 'all']) {
      const current = (await totals.get(id)) ?? { _id: id, events: 0, lastRevision: -1, checksum: 0 };
      await totals.upsert({
        _id: id,
        events: current.events + 1,
        lastRevision: id === 'all' ? current.lastRevision : Number(event.revision),
        checksum: (current.checksum * 31 + Number(event.revision) + 1) % 1_000_000_007,
      });
    }
  },
};
