import { z } from 'zod';
import { MalformedEventError } from '../errors.ts';
import type { DomainEvent } from './decider.ts';
import type { EventMetadata, RecordedEvent } from './event-store.ts';

/**
 * How stored events are read back: each event type's data has a zod schema, and the event types of a
 * stream are inferred from those schemas, so what the code expects and what it checks cannot drift.
 * An event stored in an older shape is brought to the current one by its type's upcasters.
 */

/** The schema of each event type's data, by type. */
export type EventSchemas = Readonly<Record<string, z.ZodType<object>>>;

/** The events a set of schemas describes: `{ type, data }`, with the data as its schema reads it. */
export type EventsOf<S extends EventSchemas> = { [T in keyof S & string]: { type: T; data: z.output<S[T]> } }[keyof S & string];

/** The events a catalogue reads. */
export type EventOf<C> = C extends EventCatalogue<infer Event> ? Event : never;

/**
 * One step in the history of an event type's data: data stored in an old shape is rewritten into
 * the next one. `retiredBy` names the change that stopped writing the old shape.
 */
export interface Upcaster {
  readonly retiredBy: string;
  /** The data in the next shape, or undefined when it is not in the shape this step reads. */
  readonly upcast: (data: unknown, recorded: RecordedEvent) => { data: unknown } | undefined;
}

/** A step from the shape `from` (the old shape's schema, kept for this) to whatever `to` makes of it. */
export function upcaster<Old>(step: { retiredBy: string; from: z.ZodType<Old>; to: (old: Old, recorded: RecordedEvent) => unknown }): Upcaster {
  return {
    retiredBy: step.retiredBy,
    upcast: (data, recorded) => {
      const old = step.from.safeParse(data);
      return old.success ? { data: step.to(old.data, recorded) } : undefined;
    },
  };
}

export interface EventDefinition {
  readonly schema: z.ZodType<object>;
  /** Oldest first; each step applies to data in the shape it reads, so a chain takes any past shape to the current one. */
  readonly upcasters: readonly Upcaster[];
}

/** The event types a stream holds, and how each is read back. */
export interface EventCatalogue<Event extends DomainEvent> {
  readonly definitions: ReadonlyMap<string, EventDefinition>;
  /** Whether events of this type are among these. */
  knows(type: string): type is Event['type'];
  /**
   * The stored event as one of these, in its current shape: as stored when it already has that shape
   * (the common case, checked first), otherwise through its type's upcasters. An event of another
   * type, or whose data fits no shape, is a MalformedEventError naming the stream, revision and type.
   */
  parse(recorded: RecordedEvent): Event;
}

/** The catalogue of the given event types. */
export function defineEvents<S extends EventSchemas>(schemas: S, upcasters: { readonly [T in keyof S]?: readonly Upcaster[] } = {}): EventCatalogue<EventsOf<S>> {
  const definitions = new Map<string, EventDefinition>(Object.entries(schemas).map(([type, schema]) => [type, { schema, upcasters: upcasters[type] ?? [] }]));
  return catalogue<EventsOf<S>>(definitions);
}

/** One catalogue of the event types of several (their type names never overlap). */
export function combineEvents<Catalogues extends ReadonlyArray<EventCatalogue<DomainEvent>>>(...catalogues: Catalogues): EventCatalogue<EventOf<Catalogues[number]>> {
  const definitions = new Map<string, EventDefinition>();
  for (const { definitions: some } of catalogues)
    for (const [type, definition] of some) {
      if (definitions.has(type)) throw new Error(`Two catalogues define the event type ${type}`);
      definitions.set(type, definition);
    }
  return catalogue<EventOf<Catalogues[number]>>(definitions);
}

function catalogue<Event extends DomainEvent>(definitions: ReadonlyMap<string, EventDefinition>): EventCatalogue<Event> {
  return {
    definitions,
    knows: (type): type is Event['type'] => definitions.has(type),
    parse(recorded) {
      const definition = definitions.get(recorded.type);
      if (!definition) throw malformed(recorded, `is none of the types expected here (${[...definitions.keys()].join(', ')})`);
      const stored = definition.schema.safeParse(recorded.data);
      if (stored.success) return typed<Event>(recorded.type, stored.data);
      const upcast = upcastData(definition.upcasters, recorded);
      if (upcast instanceof Error) throw malformed(recorded, `could not be upcast from an older shape: ${upcast.message}`);
      if (upcast === undefined) throw malformed(recorded, `matches neither its schema nor a shape its upcasters know: ${problems(stored.error)}`);
      const current = definition.schema.safeParse(upcast);
      if (!current.success) throw malformed(recorded, `was upcast to a shape its schema refuses: ${problems(current.error)}`);
      return typed<Event>(recorded.type, current.data);
    },
  };
}

/** The one place a stored event becomes a typed one: its data has just passed its type's schema. */
const typed = <Event extends DomainEvent>(type: string, data: object) => ({ type, data }) as Event;

/** The data through every step that reads it, in order; undefined when no step does, the error when one fails. */
function upcastData(steps: readonly Upcaster[], recorded: RecordedEvent): unknown {
  let data: unknown = recorded.data;
  let changed = false;
  try {
    for (const step of steps) {
      const next = step.upcast(data, recorded);
      if (next === undefined) continue;
      data = next.data;
      changed = true;
    }
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return changed ? data : undefined;
}

const problems = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(data)'}: ${issue.message}`).join('; ');

const malformed = (recorded: RecordedEvent, problem: string) => new MalformedEventError(recorded.stream, recorded.revision, recorded.type, problem);

/** The audit metadata every event carries (DESIGN.md §4). */
const eventMetadataSchema = z.object({
  occurredAt: z.string(),
  actor: z.string(),
  orgId: z.string().optional(),
  correlationId: z.string(),
  causationId: z.string(),
  // Events recorded before idempotency keys (dba7c32) have none, as do those recorded without a key.
  requestFingerprint: z.string().optional(),
}) satisfies z.ZodType<EventMetadata>;

/**
 * A stored event's metadata, checked where the store reads it (every event read passes here);
 * MalformedEventError naming the event otherwise. The stored object itself is returned, keys beyond
 * the audit ones (source IP, user agent, ...) included, rather than a copy of it.
 */
export function parseMetadata(stored: unknown, event: { stream: string; revision: bigint; type: string }): EventMetadata {
  const parsed = eventMetadataSchema.safeParse(stored);
  if (!parsed.success) throw new MalformedEventError(event.stream, event.revision, event.type, `has metadata that is not audit metadata: ${problems(parsed.error)}`);
  return stored as EventMetadata;
}
