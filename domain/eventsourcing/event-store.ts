/**
 * The EventStore port: the only way state changes. Adapters: infra/event-store/{sqlite,esdb}.
 */

/**
 * An opaque, totally ordered position in the global log, serialised as a zero-padded decimal
 * string so that string comparison is log order. Every position of a log has the same length, so
 * none is a prefix of another (positionWithin relies on it). Compare positions only with
 * `comparePositions`.
 */
export type Position = string & { readonly __brand: 'Position' };

export const comparePositions = (a: Position, b: Position): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A position inside one event, for a projection that applies the event as several ordered steps:
 * after `position` and before every later position of the log, the steps of one event ordered as
 * their `step` strings sort. It compares with `comparePositions`, and in a read model's string order,
 * like any position (no position being a prefix of another, the suffix never reaches the next
 * one). It names no event: never hand it to an event store.
 */
export const positionWithin = (position: Position, step: string): Position => `${position}.${step}` as Position;

/** What a writer expects the stream to be at: a revision (0-based, of its last event) or a state. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/** Audit metadata every event carries (DESIGN.md §4). Extra keys are allowed and kept. */
export interface EventMetadata {
  occurredAt: string;
  actor: string;
  orgId?: string | undefined;
  correlationId: string;
  /** The id of the command that recorded the event; a repeat of it is answered from the log. */
  causationId: string;
  /** When a client chose the command id (an idempotency key): a digest of its request, to refuse reuse by another. */
  requestFingerprint?: string | undefined;
  [key: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A UUID. Appending an id the stream already holds is a retry and is not stored twice. */
  eventId: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  stream: string;
  revision: bigint;
  position: Position;
}

export interface AppendResult {
  nextRevision: bigint;
  position: Position;
}

export interface EventFilter {
  /** Keep events whose stream name starts with one of these. */
  streamPrefixes?: readonly string[];
  /** Keep events of these types. */
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: the first event returned is the one after this position. Omitted: from the start. */
  from?: Position | undefined;
  max?: number;
  filter?: EventFilter;
}

export interface SubscribeOptions {
  from?: Position | undefined;
  filter?: EventFilter;
  signal?: AbortSignal;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'esdb';
  append(stream: string, events: readonly NewEvent[], options: { expected: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order. An unknown stream reads as empty. */
  readStream(stream: string, options?: { from?: bigint; max?: number }): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** Catch-up, then live, until the signal aborts (the iteration then ends quietly). */
  subscribeAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** The position of the newest event, or undefined for an empty log. */
  headPosition(): Promise<Position | undefined>;
  /** How many events lie after `after`, counting at most `cap` (lag reporting). */
  countAfter(after: Position | undefined, cap: number): Promise<number>;
  /** Deletes a stream for good: its events are gone and it can never be written again. */
  tombstone(stream: string): Promise<void>;
  close(): Promise<void>;
}
