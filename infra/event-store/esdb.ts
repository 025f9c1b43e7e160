import {
  END,
  EventStoreDBClient,
  FORWARDS,
  BACKWARDS,
  NO_STREAM,
  STREAM_EXISTS,
  ANY,
  START,
  jsonEvent,
  streamNameFilter,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position as EsdbPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ConcurrencyError, StoreUnavailableError, StreamDeletedError, isAppError } from '../../domain/errors.ts';
import { parseMetadata } from '../../domain/eventsourcing/event-schemas.ts';
import type { EventFilter, EventStore, ExpectedRevision, Position, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { serialiseAppend } from './append-input.ts';

const pad = (n: bigint) => n.toString().padStart(20, '0');
export const esdbPosition = (p: EsdbPosition): Position => `${pad(p.commit)}-${pad(p.prepare)}` as Position;
function parsePosition(position: Position): EsdbPosition {
  const [commit, prepare] = position.split('-');
  if (commit === undefined || prepare === undefined) throw new TypeError(`Not an EventStoreDB position: ${position}`);
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}

const toEsdbExpected = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'no_stream' ? NO_STREAM : expected === 'exists' ? STREAM_EXISTS : expected === 'any' ? ANY : expected;

const isSystem = (stream: string, type: string) => stream.startsWith('$') || type.startsWith('$');

function matches(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (filter?.streamPrefixes?.length && !filter.streamPrefixes.some((p) => event.stream.startsWith(p))) return false;
  if (filter?.eventTypes?.length && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

/**
 * The EventStoreDB adapter: a thin mapping of the port onto `@eventstore/db-client`, translating
 * the client's errors into ours. System events ($-prefixed) never leave it.
 */
export function openEsdbEventStore(connectionString: string): EventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  const where = connectionString.replace(/\/\/[^@/]*@/, '//');

  function translate(error: unknown, stream?: string): Error {
    if (isAppError(error)) return error;
    const e = error as { type?: string; code?: number; message?: string; expectedVersion?: unknown; actualVersion?: unknown };
    if (e.type === 'wrong-expected-version')
      return new ConcurrencyError(stream ?? '?', String(e.expectedVersion ?? '?'), String(e.actualVersion ?? '?'));
    if (e.type === 'stream-deleted') return new StreamDeletedError(stream ?? '?');
    if (e.type === 'unavailable' || e.code === 14 || e.type === 'deadline-exceeded')
      return new StoreUnavailableError(`EventStoreDB at ${where} is unavailable: ${e.message ?? 'connection refused'}`, error);
    return error instanceof Error ? error : new Error(String(error));
  }

  function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = resolved.event;
    if (!event || isSystem(event.streamId, event.type) || !event.isJson) return undefined;
    return {
      stream: event.streamId,
      revision: event.revision,
      position: esdbPosition(event.position!),
      eventId: event.id,
      type: event.type,
      data: event.data,
      metadata: parseMetadata(event.metadata, { stream: event.streamId, revision: event.revision, type: event.type }),
    };
  }

  async function* readForwards(from: Position | undefined): AsyncGenerator<RecordedEvent> {
    try {
      const reader = client.readAll({ direction: FORWARDS, fromPosition: from ? parsePosition(from) : START });
      for await (const resolved of reader) {
        const event = toRecorded(resolved);
        // readAll's fromPosition is inclusive; the port's `from` is exclusive.
        if (event && event.position !== from) yield event;
      }
    } catch (error) {
      throw translate(error);
    }
  }

  return {
    kind: 'esdb',

    async append(stream, events, { expected }) {
      const serialised = serialiseAppend(stream, events);
      try {
        const result = await client.appendToStream(
          stream,
          serialised.map((e, i) => jsonEvent({ id: e.eventId, type: e.type, data: events[i]!.data as never, metadata: events[i]!.metadata })),
          { expectedRevision: toEsdbExpected(expected) },
        );
        return { nextRevision: result.nextExpectedRevision, position: esdbPosition(result.position!) };
      } catch (error) {
        throw translate(error, stream);
      }
    },

    async *readStream(stream, options = {}) {
      try {
        const reader = client.readStream(stream, { direction: FORWARDS, fromRevision: options.from ?? START, maxCount: options.max ?? Number.MAX_SAFE_INTEGER });
        for await (const resolved of reader) {
          const event = toRecorded(resolved);
          if (event) yield event;
        }
      } catch (error) {
        if ((error as { type?: string }).type === 'stream-not-found') return;
        throw translate(error, stream);
      }
    },

    async *readAll(options = {}) {
      let remaining = options.max ?? Number.POSITIVE_INFINITY;
      if (remaining <= 0) return;
      for await (const event of readForwards(options.from)) {
        if (!matches(event, options.filter)) continue;
        yield event;
        if (--remaining <= 0) return;
      }
    },

    async *subscribeAll(options = {}) {
      const { signal } = options;
      if (signal?.aborted) return;
      const subscription = client.subscribeToAll({
        fromPosition: options.from ? parsePosition(options.from) : START,
        filter: options.filter?.streamPrefixes?.length ? streamNameFilter({ prefixes: [...options.filter.streamPrefixes] }) : excludeSystemEvents(),
      });
      const stop = () => void subscription.unsubscribe();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const resolved of subscription) {
          if (signal?.aborted) return;
          const event = toRecorded(resolved);
          if (event && matches(event, options.filter)) yield event;
        }
      } catch (error) {
        if (!signal?.aborted) throw translate(error);
      } finally {
        signal?.removeEventListener('abort', stop);
        await subscription.unsubscribe();
      }
    },

    async headPosition() {
      try {
        for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1000 })) {
          const event = toRecorded(resolved);
          if (event) return event.position;
        }
        return undefined;
      } catch (error) {
        throw translate(error);
      }
    },

    async countAfter(after, cap) {
      let count = 0;
      for await (const _ of readForwards(after)) if (++count >= cap) break;
      return count;
    },

    async tombstone(stream) {
      try {
        await client.tombstoneStream(stream, { expectedRevision: ANY });
      } catch (error) {
        throw translate(error, stream);
      }
    },

    async close() {
      await client.dispose();
    },
  };
}
