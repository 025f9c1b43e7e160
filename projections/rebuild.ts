import { batched } from './batched.ts';
import { activeGeneration, dropGeneration, ensureGeneration, setActiveGeneration } from './generations.ts';
import type { Projection } from './projection.ts';
import { applyBatch, checkpointOf, type ProjectionDependencies } from './runner.ts';

const BATCH = 1000;

/**
 * Rebuilds a projection from position zero into a new generation of its collections while the
 * current one keeps serving, then makes the new one active and drops the old. Running processes
 * notice the switch at their next batch. A rebuild that was interrupted starts its generation anew.
 */
export async function rebuildProjection(deps: ProjectionDependencies, projection: Projection): Promise<{ generation: number; events: number }> {
  const previous = await activeGeneration(deps.documents, projection.name);
  const next = (previous ?? 0) + 1;
  await dropGeneration(deps.documents, projection, next);
  await ensureGeneration(deps.documents, projection, next);

  let events = 0;
  // Catch up until a read finds nothing newer; the live runner takes over from this checkpoint.
  for (;;) {
    const from = await checkpointOf(deps.documents, projection.name, next);
    let read = 0;
    for await (const batch of batched(deps.events.readAll({ from, filter: projection.filter }), BATCH)) {
      await applyBatch(deps, projection, next, batch, { mustBeActive: false });
      read += batch.length;
      if (read % 50_000 < BATCH) deps.logger.info({ projection: projection.name, events: events + read }, 'rebuilding');
    }
    events += read;
    if (read === 0) break;
  }

  await deps.documents.unitOfWork((tx) => setActiveGeneration(tx, projection.name, next));
  if (previous !== undefined) await dropGeneration(deps.documents, projection, previous);
  return { generation: next, events };
}
