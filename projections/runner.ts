import type { EventStore, Position, RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { CHECKPOINTS, type Checkpoint, type DocumentStore } from '../domain/read-models/document-store.ts';
import type { Logger } from '../infra/logger.ts';
import { batched } from './batched.ts';
import { activeGeneration, checkpointId, ensureGeneration, setActiveGeneration, writerFor } from './generations.ts';
import type { Projection } from './projection.ts';

export interface ProjectionDependencies {
  events: EventStore;
  documents: DocumentStore;
  logger: Logger;
}

/** Thrown inside a unit of work when a rebuild has made another generation active meanwhile. */
class GenerationSwitched extends Error {}

const BATCH = 500;
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Applies one batch of events to a generation in a single unit of work together with the
 * checkpoint: both land or neither does, so a restart resumes exactly after the last batch.
 */
export async function applyBatch(
  deps: Pick<ProjectionDependencies, 'documents'>,
  projection: Projection,
  generation: number,
  batch: readonly RecordedEvent[],
  { mustBeActive }: { mustBeActive: boolean },
): Promise<void> {
  const last = batch.at(-1);
  if (!last) return;
  await deps.documents.unitOfWork(
    async (tx) => {
      if (mustBeActive && (await activeGeneration(tx, projection.name)) !== generation) throw new GenerationSwitched();
      const model = writerFor(tx, projection, generation);
      for (const event of batch) await projection.apply(event, model);
    },
    { checkpoint: { _id: checkpointId(projection.name, generation), position: last.position } },
  );
}

export async function checkpointOf(documents: DocumentStore, projection: string, generation: number): Promise<Position | undefined> {
  return (await documents.collection<Checkpoint>(CHECKPOINTS).get(checkpointId(projection, generation)))?.position as Position | undefined;
}

/** The generation queries read; the first start creates generation 1. */
async function currentGeneration(deps: ProjectionDependencies, projection: Projection): Promise<number> {
  const active = await activeGeneration(deps.documents, projection.name);
  if (active !== undefined) return active;
  await ensureGeneration(deps.documents, projection, 1);
  await deps.documents.unitOfWork((tx) => setActiveGeneration(tx, projection.name, 1));
  return 1;
}

export interface RunningProjection {
  readonly name: string;
  /** Events in the log after this projection's checkpoint. */
  lag(): Promise<number>;
  /** Resolves once the projection has applied everything up to `position`, or after `timeoutMs`. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean>;
  /** Stops after the batch in progress has committed. */
  stop(): Promise<void>;
}

/**
 * Runs a projection live: catch up from its checkpoint, then follow the log. A failed batch is
 * logged and retried from the last checkpoint; a generation switch (a finished rebuild) moves it to
 * the new generation and its checkpoint.
 */
export function startProjection(deps: ProjectionDependencies, projection: Projection): RunningProjection {
  const stopping = new AbortController();
  let position: Position | undefined;
  let generation = 0;
  const waiters = new Set<() => void>();
  const log = deps.logger.child({ projection: projection.name });

  async function follow(): Promise<void> {
    generation = await currentGeneration(deps, projection);
    position = await checkpointOf(deps.documents, projection.name, generation);
    const subscription = new AbortController();
    const stop = () => subscription.abort();
    stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      const events = deps.events.subscribeAll({ from: position, filter: projection.filter, signal: subscription.signal });
      for await (const batch of batched(events, BATCH)) {
        await applyBatch(deps, projection, generation, batch, { mustBeActive: true });
        position = batch.at(-1)!.position;
        for (const wake of waiters) wake();
      }
    } finally {
      stopping.signal.removeEventListener('abort', stop);
      subscription.abort();
    }
  }

  const done = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await follow();
      } catch (error) {
        if (error instanceof GenerationSwitched) {
          log.info('a rebuild switched generations; following the new one');
          continue;
        }
        if (stopping.signal.aborted) break;
        log.error({ err: error }, 'projection batch failed; retrying from the last checkpoint');
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
      }
    }
  })();

  return {
    name: projection.name,
    async lag() {
      const checkpoint = await checkpointOf(deps.documents, projection.name, (await activeGeneration(deps.documents, projection.name)) ?? 1);
      return deps.events.countAfter(checkpoint, 1_000_000);
    },
    async waitFor(target, timeoutMs) {
      // Reached when applied, or when no event this projection cares about lies between its
      // position and the target (a filtered projection never sees the others' positions).
      const reached = async () => {
        if (position !== undefined && position >= target) return true;
        for await (const next of deps.events.readAll({ from: position, filter: projection.filter, max: 1 })) return next.position > target;
        return true;
      };
      return new Promise<boolean>((resolve) => {
        const finish = (value: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        };
        // Registered before the first check, so a batch committing during it still wakes us.
        const check = () => void reached().then((done) => done && finish(true));
        const timer = setTimeout(() => void reached().then(finish), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
