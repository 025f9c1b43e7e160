import type { EventFilter, RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import type { Collection, CollectionSpec, Document } from '../domain/read-models/document-store.ts';

/** Where a projection writes: its own collections, by their short names, inside one unit of work. */
export interface ReadModelWriter {
  collection<T extends Document = Document>(name: string): Collection<T>;
}

/**
 * A read-model builder. `apply` must be idempotent: applying an event a second time (after a crash
 * between a batch's writes and its checkpoint, on a store without transactions) changes nothing.
 */
export interface Projection {
  /** Lowercase, stable: names the checkpoint and prefixes the collections. */
  name: string;
  collections: Record<string, CollectionSpec>;
  filter?: EventFilter;
  apply(event: RecordedEvent, model: ReadModelWriter): Promise<void>;
}
