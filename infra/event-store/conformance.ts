import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, NewEvent, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { collect } from '../testing/collect.ts';

/** Builds an event with complete metadata, as a command handler would. */
export function testEvent(type: string, data: Record<string, unknown> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    data,
    metadata: { occurredAt: new Date().toISOString(), actor: 'test', correlationId: randomUUID(), causationId: randomUUID() },
  };
}

const errorCode = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );

/**
 * One behaviour for every EventStore adapter. Each test writes to streams under its own prefix,
 * so the suite can share one server and reads of `$all` stay scoped with a stream filter.
 */
export function describeEventStoreConformance(name: string, open: () => Promise<EventStore>): void {
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (suffix: string) => `${prefix}-${suffix}`;
    const readMine = (from?: RecordedEvent['position']) => collect(store.readAll({ from, filter: { streamPrefixes: [prefix] } }));

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    // A fresh prefix per test keeps tests independent on a shared server.
    const test = (title: string, body: () => Promise<void>, timeout?: number) =>
      it(title, async () => {
        prefix = `t${randomUUID().replaceAll('-', '')}`;
        await body();
      }, timeout);

    test('keeps each stream in revision order and the global log in append order', async () => {
      await store.append(stream('a'), [testEvent('One'), testEvent('Two')], { expected: 'no_stream' });
      await store.append(stream('b'), [testEvent('Three')], { expected: 'no_stream' });
      const last = await store.append(stream('a'), [testEvent('Four')], { expected: 1n });
      expect(last.nextRevision).toBe(2n);

      const a = await collect(store.readStream(stream('a')));
      expect(a.map((e) => [e.type, e.revision])).toEqual([['One', 0n], ['Two', 1n], ['Four', 2n]]);
      const all = await readMine();
      expect(all.map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect(new Set(positions).size).toBe(4);
      expect(all.at(-1)?.position).toBe(last.position);
      expect(all[0]?.metadata).toMatchObject({ actor: 'test' });
    });

    test('enforces the expected revision with one ConcurrencyError', async () => {
      const s = stream('expect');
      expect(await errorCode(store.append(s, [testEvent('X')], { expected: 'exists' }))).toBe('CONCURRENCY_CONFLICT');
      expect(await errorCode(store.append(s, [testEvent('X')], { expected: 0n }))).toBe('CONCURRENCY_CONFLICT');
      await store.append(s, [testEvent('X')], { expected: 'no_stream' });
      expect(await errorCode(store.append(s, [testEvent('X')], { expected: 'no_stream' }))).toBe('CONCURRENCY_CONFLICT');
      expect(await errorCode(store.append(s, [testEvent('X')], { expected: 5n }))).toBe('CONCURRENCY_CONFLICT');
      await store.append(s, [testEvent('X')], { expected: 'exists' });
      await store.append(s, [testEvent('X')], { expected: 'any' });
      expect(await collect(store.readStream(s))).toHaveLength(3);
    });

    test('lets exactly one of racing writers win each revision', async () => {
      const s = stream('race');
      for (let round = 0; round < 5; round++) {
        const expected = round === 0 ? ('no_stream' as const) : BigInt(round - 1);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, writer) => store.append(s, [testEvent('Won', { round, writer })], { expected })),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as { code: string }).code).toBe('CONCURRENCY_CONFLICT');
      }
      const events = await collect(store.readStream(s));
      expect(events.map((e) => (e.data as { round: number }).round)).toEqual([0, 1, 2, 3, 4]);
    });

    test('stores a retried append once and answers it like the first', async () => {
      const s = stream('retry');
      const batch = [testEvent('A'), testEvent('B')];
      const first = await store.append(s, batch, { expected: 'no_stream' });
      const again = await store.append(s, batch, { expected: 'no_stream' });
      expect(again.nextRevision).toBe(first.nextRevision);
      const anyRetry = await store.append(s, batch, { expected: 'any' });
      expect(anyRetry.nextRevision).toBe(1n);
      expect((await collect(store.readStream(s))).map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
    });

    test('reads from an exclusive position', async () => {
      await store.append(stream('x'), [testEvent('A'), testEvent('B'), testEvent('C')], { expected: 'any' });
      const all = await readMine();
      const afterFirst = await readMine(all[0]!.position);
      expect(afterFirst.map((e) => e.type)).toEqual(['B', 'C']);
      expect(await readMine(all[2]!.position)).toEqual([]);
      const fromRevision = await collect(store.readStream(stream('x'), { from: 1n, max: 1 }));
      expect(fromRevision.map((e) => e.type)).toEqual(['B']);
    });

    test('subscribes with catch-up, then live, from an exclusive position', async () => {
      const s = stream('sub');
      await store.append(s, [testEvent('Old0'), testEvent('Old1'), testEvent('Old2')], { expected: 'no_stream' });
      const [first] = await readMine();
      const controller = new AbortController();
      const seen: string[] = [];
      const done = (async () => {
        for await (const event of store.subscribeAll({ from: first!.position, filter: { streamPrefixes: [prefix] }, signal: controller.signal })) {
          seen.push(event.type);
          if (seen.length === 4) controller.abort();
        }
      })();
      await expect.poll(() => seen.length).toBe(2);
      await store.append(s, [testEvent('Live0'), testEvent('Live1')], { expected: 2n });
      await done;
      expect(seen).toEqual(['Old1', 'Old2', 'Live0', 'Live1']);
    });

    test('tombstones a stream for good', async () => {
      const s = stream('gone');
      await store.append(s, [testEvent('A')], { expected: 'no_stream' });
      await store.tombstone(s);
      expect(await errorCode(collect(store.readStream(s)))).toBe('STREAM_DELETED');
      expect(await errorCode(store.append(s, [testEvent('B')], { expected: 'any' }))).toBe('STREAM_DELETED');
    });

    test('appends 10,000 events in one call', async () => {
      const s = stream('big');
      const events = Array.from({ length: 10_000 }, (_, i) => testEvent('Numbered', { i }));
      const result = await store.append(s, events, { expected: 'no_stream' });
      expect(result.nextRevision).toBe(9_999n);
      const read = await collect(store.readStream(s));
      expect(read).toHaveLength(10_000);
      expect(read.every((e, i) => (e.data as { i: number }).i === i && e.revision === BigInt(i))).toBe(true);
    }, 60_000);

    test('round-trips a 1 MB event', async () => {
      const blob = 'x'.repeat(1_000_000);
      await store.append(stream('mb'), [testEvent('Large', { blob })], { expected: 'no_stream' });
      const [event] = await collect(store.readStream(stream('mb')));
      expect((event?.data as { blob: string }).blob).toBe(blob);
    });

    test('round-trips unicode in stream names, types and data', async () => {
      const s = stream('ünïcødé-流-🚀');
      const data = { name: 'Zoë 🚀 東京 مرحبا e\u0301 \u0000 "quoted" \\ back', nested: { emoji: ['👩‍💻', '🇪🇺'] } };
      await store.append(s, [testEvent('Named', data)], { expected: 'no_stream' });
      const [event] = await collect(store.readStream(s));
      expect(event?.data).toEqual(data);
      expect(event?.stream).toBe(s);
    });

    test('refuses bad input with a clear error and writes nothing', async () => {
      const s = stream('bad');
      expect(await errorCode(store.append('', [testEvent('A')], { expected: 'any' }))).toBe('VALIDATION_FAILED');
      const bigint = testEvent('A', { amount: 1n as unknown as number });
      await expect(store.append(s, [bigint], { expected: 'any' })).rejects.toThrow(/not JSON-serialisable/);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(await errorCode(store.append(s, [testEvent('Ok'), testEvent('A', circular)], { expected: 'any' }))).toBe('VALIDATION_FAILED');
      expect(await errorCode(store.append(s, [], { expected: 'any' }))).toBe('VALIDATION_FAILED');
      expect(await collect(store.readStream(s))).toEqual([]);
    });
  });
}
