import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openSqliteEventStore } from '../../infra/event-store/sqlite.ts';
import { collect } from '../../infra/testing/collect.ts';
import { ConflictError } from '../errors.ts';
import { handleCommand, type Decider } from './decider.ts';
import { defineEvents, type EventOf } from './event-schemas.ts';
import type { EventStore } from './event-store.ts';
import { given } from './specification.ts';

// A small decider in the shape every context uses: a reservation that can be taken once and released.
type Command = { type: 'Reserve'; holder: string } | { type: 'Release' };
const events = defineEvents({ Reserved: z.object({ holder: z.string() }), Released: z.object({}) });
type Event = EventOf<typeof events>;
type State = { holder?: string };

const reservation: Decider<Command, Event, State> = {
  events,
  initialState: () => ({}),
  evolve: (state, event) => (event.type === 'Reserved' ? { holder: event.data.holder } : {}),
  decide: (command, state) => {
    if (command.type === 'Release') return state.holder ? [{ type: 'Released', data: {} }] : [];
    if (state.holder === command.holder) return [];
    if (state.holder) throw new ConflictError(`Already reserved by ${state.holder}`);
    return [{ type: 'Reserved', data: { holder: command.holder } }];
  },
};

const newStore = () => openSqliteEventStore(join(mkdtempSync(join(tmpdir(), 'cv-cmd-')), 'events.db'));
const now = () => new Date('2026-11-27T10:00:00Z');
const context = (commandId = randomUUID()) => ({ commandId, actor: 'user-1', orgId: 'org-1', extra: { sourceIp: '203.0.113.9' } });

describe('given/when/then', () => {
  it('states a decision', () => {
    given(reservation, []).when({ type: 'Reserve', holder: 'ada' }).then([{ type: 'Reserved', data: { holder: 'ada' } }]);
    given(reservation, [{ type: 'Reserved', data: { holder: 'ada' } }]).when({ type: 'Reserve', holder: 'ada' }).then([]);
    given(reservation, [{ type: 'Reserved', data: { holder: 'ada' } }]).when({ type: 'Reserve', holder: 'bob' }).thenThrows('CONFLICT', /ada/);
  });

  it('fails when the decision differs from the specification', () => {
    expect(() => given(reservation, []).when({ type: 'Reserve', holder: 'ada' }).then([])).toThrow();
    expect(() => given(reservation, []).when({ type: 'Reserve', holder: 'ada' }).thenThrows('CONFLICT')).toThrow(/expected the command to fail/);
    expect(() =>
      given(reservation, [{ type: 'Reserved', data: { holder: 'ada' } }]).when({ type: 'Reserve', holder: 'bob' }).thenThrows('NOT_FOUND'),
    ).toThrow(/expected NOT_FOUND, got CONFLICT/);
  });
});

describe('handleCommand', () => {
  it('appends the decided events with the audit metadata', async () => {
    const store = newStore();
    const ctx = context();
    const result = await handleCommand(store, reservation, 'reservation-a', { type: 'Reserve', holder: 'ada' }, ctx, now);
    expect(result.nextRevision).toBe(0n);
    const [event] = await collect(store.readStream('reservation-a'));
    expect(event).toMatchObject({
      type: 'Reserved',
      data: { holder: 'ada' },
      metadata: { occurredAt: '2026-11-27T10:00:00.000Z', actor: 'user-1', orgId: 'org-1', causationId: ctx.commandId, correlationId: ctx.commandId, sourceIp: '203.0.113.9' },
    });
    await expect(handleCommand(store, reservation, 'reservation-a', { type: 'Reserve', holder: 'bob' }, context(), now)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('stores a retried command once, even when its decision would repeat', async () => {
    const store = newStore();
    const reserve = context();
    await handleCommand(store, reservation, 'reservation-b', { type: 'Reserve', holder: 'ada' }, reserve, now);
    await handleCommand(store, reservation, 'reservation-b', { type: 'Release' }, context(), now);
    // A client retries the first request after losing its response: decided again on the new state
    // it would reserve again, but its derived event id is already stored, so nothing is appended.
    await handleCommand(store, reservation, 'reservation-b', { type: 'Reserve', holder: 'ada' }, reserve, now);
    expect((await collect(store.readStream('reservation-b'))).map((e) => e.type)).toEqual(['Reserved', 'Released']);
  });

  it('answers a repeated command id from the log, where deciding again would fail', async () => {
    const store = newStore();
    const reserve = context();
    const first = await handleCommand(store, reservation, 'reservation-f', { type: 'Reserve', holder: 'ada' }, reserve, now);
    await handleCommand(store, reservation, 'reservation-f', { type: 'Release' }, context(), now);
    await handleCommand(store, reservation, 'reservation-f', { type: 'Reserve', holder: 'bob' }, context(), now);
    // Decided again, the retry would be refused (bob holds it now); it is the same command, so it is
    // answered as it was the first time.
    const repeated = await handleCommand(store, reservation, 'reservation-f', { type: 'Reserve', holder: 'ada' }, reserve, now);
    expect(repeated).toEqual(first);
    expect(repeated.events).toEqual([{ type: 'Reserved', data: { holder: 'ada' } }]);
    expect((await collect(store.readStream('reservation-f'))).map((e) => e.type)).toEqual(['Reserved', 'Released', 'Reserved']);
  });

  it('refuses a command id repeated by a different request, and records nothing', async () => {
    const store = newStore();
    const commandId = randomUUID();
    const renamed = { ...context(commandId), requestFingerprint: 'PATCH /things/1 {"holder":"ada"}' };
    await handleCommand(store, reservation, 'reservation-g', { type: 'Reserve', holder: 'ada' }, renamed, now);
    const [recorded] = await collect(store.readStream('reservation-g'));
    expect(recorded?.metadata.requestFingerprint).toBe(renamed.requestFingerprint);

    const other = { ...context(commandId), requestFingerprint: 'PATCH /things/1 {"holder":"bob"}' };
    await handleCommand(store, reservation, 'reservation-g', { type: 'Release' }, other, now).then(
      () => expect.fail('a reused command id was run'),
      (error: unknown) => expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 }),
    );
    await expect(handleCommand(store, reservation, 'reservation-g', { type: 'Release' }, context(commandId), now)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await collect(store.readStream('reservation-g'))).toHaveLength(1);
  });

  it('reports what was stored, not what it decided, when another run of the same command wins the race', async () => {
    const store = newStore();
    const shared = context();
    let raced = false;
    // The other run (deciding other data, as a request with fresh ids or time would) appends between this run's read and its append.
    const racing: EventStore = {
      ...store,
      append: async (stream, events, options) => {
        if (!raced) {
          raced = true;
          await handleCommand(store, reservation, stream, { type: 'Reserve', holder: 'bob' }, shared, now);
        }
        return store.append(stream, events, options);
      },
    };
    const result = await handleCommand(racing, reservation, 'reservation-h', { type: 'Reserve', holder: 'ada' }, shared, now);
    const stored = await collect(store.readStream('reservation-h'));
    expect(stored.map((e) => e.data)).toEqual([{ holder: 'bob' }]);
    expect(result).toEqual({ events: [{ type: 'Reserved', data: { holder: 'bob' } }], nextRevision: 0n, position: stored[0]!.position });
  });

  it('decides again on fresh state after losing a race, a bounded number of times', async () => {
    const store = newStore();
    let interfere = 1;
    // Another command's writer that slips in between this command's read and its append, once.
    const racing: EventStore = {
      ...store,
      append: async (stream, events, options) => {
        const other = { ...events[0]!.metadata, causationId: randomUUID() };
        if (interfere-- > 0) await store.append(stream, [{ eventId: randomUUID(), type: 'Reserved', data: { holder: 'bob' }, metadata: other }], { expected: 'any' });
        return store.append(stream, events, options);
      },
    };
    await expect(handleCommand(racing, reservation, 'reservation-c', { type: 'Reserve', holder: 'ada' }, context(), now)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Already reserved by bob',
    });

    interfere = 100;
    await store.append('reservation-e', [{ eventId: randomUUID(), type: 'Reserved', data: { holder: 'x' }, metadata: { occurredAt: '', actor: 'a', correlationId: 'c', causationId: 'c' } }], {
      expected: 'no_stream',
    });
    await expect(handleCommand(racing, reservation, 'reservation-e', { type: 'Release' }, context(), now)).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(100 - interfere).toBe(3);
  });
});
