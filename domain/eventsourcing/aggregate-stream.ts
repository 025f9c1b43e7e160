import type { DomainEvent } from './decider.ts';
import type { EventCatalogue } from './event-schemas.ts';
import type { EventStore, RecordedEvent } from './event-store.ts';

/** What a fold of a stream needs: how its events are read, where to start, and a step. A Decider is one. */
export interface Evolver<Event extends DomainEvent, State> {
  events: EventCatalogue<Event>;
  initialState: () => State;
  /** `recorded` is the stored envelope (stream, revision, metadata), for folds that need more than the event. */
  evolve: (state: State, event: Event, recorded: RecordedEvent) => State;
}

export interface AggregatedStream<State> {
  state: State;
  /** The revision of the last event read; undefined when there was none. */
  revision: bigint | undefined;
}

/**
 * Folds a stream, every event parsed through the catalogue (upcast from an older shape where needed),
 * as Emmett's `aggregateStream` does. `from` starts after a snapshot: its state is `state`, and the
 * events before revision `from` are not read. Parsing fails loudly (MalformedEventError) on an event
 * the stream should not hold.
 */
export async function aggregateStream<Event extends DomainEvent, State>(
  store: EventStore,
  evolver: Evolver<Event, State>,
  stream: string,
  options: { from?: bigint | undefined; state?: State } = {},
): Promise<AggregatedStream<State>> {
  let state = options.state ?? evolver.initialState();
  let revision: bigint | undefined;
  for await (const recorded of store.readStream(stream, options.from === undefined ? undefined : { from: options.from })) {
    state = evolver.evolve(state, evolver.events.parse(recorded), recorded);
    revision = recorded.revision;
  }
  return { state, revision };
}
