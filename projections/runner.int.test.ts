import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { testEvent } from '../infra/event-store/conformance.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { createLogger } from '../infra/logger.ts';
import { repoRoot } from '../infra/testing/peers.ts';
import { activeGeneration, readModel } from './generations.ts';
import { rebuildProjection } from './rebuild.ts';
import { startProjection, type RunningProjection } from './runner.ts';
import { streamTotals } from './testing/stream-totals.ts';

const logger = createLogger('silent');
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function openStores(dir = mkdtempSync(join(tmpdir(), 'cv-proj-'))) {
  const events = openSqliteEventStore(join(dir, 'events.db'));
  const documents = openSqliteDocumentStore(join(dir, 'read-models.db'));
  cleanup.push(async () => {
    await documents.close();
    await events.close();
  });
  return { dir, events, documents, logger };
}

async function appendEvents(events: EventStore, count: number, streams: number): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const size = Math.min(500, count - start);
    await events.append(`thing-${(start / 500) % streams}`, Array.from({ length: size }, (_, i) => testEvent('ThingHappened', { n: start + i })), { expected: 'any' });
  }
}

async function hashOf(documents: DocumentStore, projection: string, collection: string): Promise<string> {
  const docs = await (await readModel(documents, projection, collection)).find({}, { sort: [['_id', 1]] });
  return createHash('sha256').update(JSON.stringify(docs)).digest('hex');
}

async function caughtUp(running: RunningProjection): Promise<void> {
  await expect.poll(() => running.lag(), { timeout: 20_000, interval: 20 }).toBe(0);
}

describe('projection runner', () => {
  it('projects, reports its lag, and resumes exactly after a restart', async () => {
    const stores = openStores();
    await appendEvents(stores.events, 3000, 7);
    let running = startProjection(stores, streamTotals);
    await caughtUp(running);
    await running.stop();
    const totals = await readModel(stores.documents, 'streamtotals', 'totals');
    expect(await totals.get('all')).toMatchObject({ events: 3000 });

    await appendEvents(stores.events, 1000, 3);
    expect(await running.lag()).toBe(1000);
    running = startProjection(stores, streamTotals);
    cleanup.push(() => running.stop());
    await caughtUp(running);
    expect(await totals.get('all')).toMatchObject({ events: 4000 });
  });

  it('lets a writer wait until its own write has been projected', async () => {
    const stores = openStores();
    const running = startProjection(stores, streamTotals);
    cleanup.push(() => running.stop());
    const { position } = await stores.events.append('thing-x', [testEvent('ThingHappened')], { expected: 'no_stream' });
    expect(await running.waitFor(position, 5000)).toBe(true);
    expect(await (await readModel(stores.documents, 'streamtotals', 'totals')).get('thing-x')).toMatchObject({ events: 1 });
  });

  it('rebuilds into a new generation while the old one serves, then switches the live runner over', async () => {
    const stores = openStores();
    await appendEvents(stores.events, 2000, 4);
    const running = startProjection(stores, streamTotals);
    cleanup.push(() => running.stop());
    await caughtUp(running);
    const before = await hashOf(stores.documents, 'streamtotals', 'totals');

    const result = await rebuildProjection(stores, streamTotals);
    expect(result).toEqual({ generation: 2, events: 2000 });
    expect(await activeGeneration(stores.documents, 'streamtotals')).toBe(2);
    expect(await hashOf(stores.documents, 'streamtotals', 'totals')).toBe(before);

    // The live runner moves to generation 2 and keeps projecting there.
    await stores.events.append(`thing-${randomUUID()}`, [testEvent('ThingHappened')], { expected: 'no_stream' });
    await expect.poll(async () => (await (await readModel(stores.documents, 'streamtotals', 'totals')).get('all'))?.events, { timeout: 10_000 }).toBe(2001);
  });

  it('survives SIGKILL at random points: nothing lost, nothing doubled', async () => {
    const stores = openStores();
    const total = 50_000;
    await appendEvents(stores.events, total, 100);

    const runChild = (killAfterMs?: number) =>
      new Promise<{ killed: boolean; output: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'projections/testing/crash-child.ts'), stores.dir], {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (killAfterMs !== undefined && output.includes('projecting')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (signal === 'SIGKILL') resolve({ killed: true, output });
          else if (code === 0) resolve({ killed: false, output });
          else reject(new Error(`crash child exited with ${code}: ${output}`));
        });
      });

    const checkpoints: number[] = [];
    let kills = 0;
    for (let attempt = 0; kills < 6 && attempt < 40; attempt++) {
      // Short random lifetimes: a child projects ~20 events a millisecond, so a long one would finish.
      const { killed } = await runChild(10 + Math.floor(Math.random() * 150));
      const totals = await readModel<{ _id: string; events: number }>(stores.documents, 'streamtotals', 'totals');
      const projected = (await totals.get('all'))?.events ?? 0;
      checkpoints.push(projected);
      if (killed && projected < total) kills++;
      if (projected === total) break;
    }
    expect(kills, `killed mid-projection ${kills} times at ${checkpoints.join(', ')} events`).toBeGreaterThanOrEqual(5);

    const finished = await runChild();
    expect(finished.output).toContain('caught up');
    const totals = await readModel<{ _id: string; events: number }>(stores.documents, 'streamtotals', 'totals');
    expect((await totals.get('all'))?.events).toBe(total);

    const afterCrashes = await hashOf(stores.documents, 'streamtotals', 'totals');
    await rebuildProjection(stores, streamTotals);
    expect(await hashOf(stores.documents, 'streamtotals', 'totals')).toBe(afterCrashes);
  }, 180_000);
});
