import type { Collection, Document, DocumentStore, DocumentTransaction } from '../domain/read-models/document-store.ts';
import type { Projection, ReadModelWriter } from './projection.ts';

/**
 * Each projection writes into numbered generations of its collections. Queries read the active one;
 * a rebuild fills the next one from position zero and then makes it active, so the old one keeps
 * serving until the new one has caught up.
 */
const GENERATIONS = 'projection_generations';

interface GenerationDocument extends Document {
  active: number;
}

export const physicalName = (projection: string, collection: string, generation: number) => `${projection}_${collection}_g${generation}`;
export const checkpointId = (projection: string, generation: number) => `${projection}:g${generation}`;

export async function activeGeneration(store: DocumentStore | DocumentTransaction, projection: string): Promise<number | undefined> {
  return (await store.collection<GenerationDocument>(GENERATIONS).get(projection))?.active;
}

export async function setActiveGeneration(tx: DocumentTransaction, projection: string, generation: number): Promise<void> {
  await tx.collection<GenerationDocument>(GENERATIONS).upsert({ _id: projection, active: generation });
}

export async function ensureGeneration(store: DocumentStore, projection: Projection, generation: number): Promise<void> {
  for (const [name, spec] of Object.entries(projection.collections)) await store.ensureCollection(physicalName(projection.name, name, generation), spec);
}

export async function dropGeneration(store: DocumentStore, projection: Projection, generation: number): Promise<void> {
  for (const name of Object.keys(projection.collections)) await store.dropCollection(physicalName(projection.name, name, generation));
  await store.unitOfWork(async (tx) => {
    await tx.collection('projection_checkpoints').deleteMany({ _id: checkpointId(projection.name, generation) });
  });
}

export function writerFor(tx: DocumentTransaction, projection: Projection, generation: number): ReadModelWriter {
  return {
    collection: <T extends Document>(name: string) => {
      if (!(name in projection.collections)) throw new Error(`Projection ${projection.name} has no collection ${name}`);
      return tx.collection<T>(physicalName(projection.name, name, generation));
    },
  };
}

/** The collection queries should read now: the active generation of a projection's collection. */
export async function readModel<T extends Document>(store: DocumentStore, projection: string, collection: string): Promise<Collection<T>> {
  const generation = (await activeGeneration(store, projection)) ?? 1;
  return store.collection<T>(physicalName(projection, collection, generation));
}
