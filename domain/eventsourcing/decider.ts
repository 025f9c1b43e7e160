import { hasCode } from '../errors.ts';
import { deriveEventId } from './event-ids.ts';
import type { EventMetadata, EventStore, Position } from './event-store.ts';

/** A domain event before it is stored: a past-tense type and its data. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
}

/**
 * An aggregate's behaviour as three pure functions (no I/O, no clock): `decide` answers a command
 * with the events it causes, or throws an AppError when the command is not allowed now.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Event[];
}

/** Who asked, for which organisation, as part of what: the audit side of every event. */
export interface CommandContext {
  /** Unique per request; a retried request reuses it so its events are stored once. */
  commandId: string;
  actor: string;
  orgId?: string | undefined;
  correlationId?: string;
  /** Request details (source IP, user agent, ...) kept in each event's metadata. */
  extra?: Record<string, unknown>;
}

export interface CommandResult<Event> {
  events: Event[];
  nextRevision: bigint | undefined;
  position: Position | undefined;
}

const MAX_ATTEMPTS = 3;

/**
 * Loads the stream, decides, and appends with the expected revision. A concurrent writer makes the
 * append fail with a ConcurrencyError; the command is then decided again on fresh state, a bounded
 * number of times.
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
    let state = decider.initialState();
    let revision: bigint | undefined;
    for await (const recorded of store.readStream(stream)) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as Event);
      revision = recorded.revision;
    }
    const events = decider.decide(command, state);
    if (events.length === 0) return { events, nextRevision: revision, position: undefined };

    const metadata: EventMetadata = {
      ...context.extra,
      occurredAt: now().toISOString(),
      actor: context.actor,
      orgId: context.orgId,
      correlationId: context.correlationId ?? context.commandId,
      causationId: context.commandId,
    };
    try {
      const result = await store.append(
        stream,
        events.map((event, index) => ({ eventId: deriveEventId(context.commandId, index), type: event.type, data: event.data, metadata })),
        { expected: revision ?? 'no_stream' },
      );
      return { events, ...result };
    } catch (error) {
      if (!hasCode(error, 'CONCURRENCY_CONFLICT') || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
