import { hasCode, IdempotencyKeyReusedError } from '../errors.ts';
import { aggregateStream } from './aggregate-stream.ts';
import { decisionEventIds } from './event-ids.ts';
import type { EventCatalogue } from './event-schemas.ts';
import type { EventMetadata, EventStore, Position, RecordedEvent } from './event-store.ts';

/** A domain event before it is stored: a past-tense type and its data. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
}

/**
 * An aggregate's behaviour as three pure functions (no I/O, no clock): `decide` answers a command
 * with the events it causes, or throws an AppError when the command is not allowed now. `events`
 * says how its stream is read back: the schema of each event type it records.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  events: EventCatalogue<Event>;
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Event[];
}

/** Who asked, for which organisation, as part of what: the audit side of every event. */
export interface CommandContext {
  /** Unique per request; a retried request reuses it, and is answered with what the first recorded. */
  commandId: string;
  actor: string;
  orgId?: string | undefined;
  correlationId?: string;
  /**
   * A digest of the request that chose this command id (with an idempotency key): a repeat of the
   * id by a different request is refused, not answered with the first request's result.
   */
  requestFingerprint?: string | undefined;
  /** Request details (source IP, user agent, ...) kept in each event's metadata. */
  extra?: Record<string, unknown>;
}

export interface CommandResult<Event> {
  /** The events the command recorded: just now, or, for a repeated command id, when it first ran. */
  events: Event[];
  nextRevision: bigint | undefined;
  position: Position | undefined;
}

const MAX_ATTEMPTS = 3;

/**
 * Loads the stream, decides, and appends with the expected revision. A concurrent writer makes the
 * append fail with a ConcurrencyError; the command is then decided again on fresh state, a bounded
 * number of times. A command id the stream already holds is a repeat: it is answered from the log
 * (the events it recorded and their position), never decided again, so a retried request neither
 * doubles its events nor fails because its own first run changed the state.
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  store: EventStore,
  decider: Decider<Command, Event, State>,
  stream: string,
  command: Command,
  context: CommandContext,
  now: () => Date,
): Promise<CommandResult<Event>> {
  for (let attempt = 1; ; attempt++) {
    const earlier: Array<Recorded<Event>> = [];
    const evolver = {
      ...decider,
      evolve: (state: State, event: Event, recorded: RecordedEvent) => {
        if (recorded.metadata.causationId === context.commandId) earlier.push({ event, recorded });
        return decider.evolve(state, event);
      },
    };
    const { state, revision } = await aggregateStream(store, evolver, stream);
    if (earlier.length > 0) return answerFromLog(earlier, context);

    const events = decider.decide(command, state);
    if (events.length === 0) return { events, nextRevision: revision, position: undefined };

    const metadata: EventMetadata = {
      ...context.extra,
      occurredAt: now().toISOString(),
      actor: context.actor,
      orgId: context.orgId,
      correlationId: context.correlationId ?? context.commandId,
      causationId: context.commandId,
      requestFingerprint: context.requestFingerprint,
    };
    // A racing run of this command id that decided the same events gets the same ids, and the store
    // answers it with the stored copy; one that decided others gets other ids, fails on the revision,
    // and its next attempt answers from the log. Either way only stored events are reported.
    const eventIds = decisionEventIds(context.commandId, [context.requestFingerprint, events], events.length);
    try {
      const result = await store.append(
        stream,
        events.map((event, index) => ({ eventId: eventIds[index]!, type: event.type, data: event.data, metadata })),
        { expected: revision ?? 'no_stream' },
      );
      return { events, ...result };
    } catch (error) {
      if (!hasCode(error, 'CONCURRENCY_CONFLICT') || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** A stored event, parsed, with its envelope. */
interface Recorded<Event> {
  event: Event;
  recorded: RecordedEvent;
}

/** What a repeated command id recorded when it first ran, if the repeat asks for the same request. */
function answerFromLog<Event>(earlier: ReadonlyArray<Recorded<Event>>, context: CommandContext): CommandResult<Event> {
  if (earlier[0]!.recorded.metadata.requestFingerprint !== context.requestFingerprint) throw new IdempotencyKeyReusedError();
  const last = earlier.at(-1)!.recorded;
  return { events: earlier.map(({ event }) => event), nextRevision: last.revision, position: last.position };
}
