import { ValidationError } from '../../domain/errors.ts';
import type { NewEvent } from '../../domain/eventsourcing/event-store.ts';

export interface SerialisedEvent {
  eventId: string;
  type: string;
  data: string;
  metadata: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks an append once, for every adapter, and serialises it: bad input never reaches a store. */
export function serialiseAppend(stream: string, events: readonly NewEvent[]): SerialisedEvent[] {
  if (typeof stream !== 'string' || stream.trim() === '') throw new ValidationError('Stream name must be a non-empty string');
  if (stream.startsWith('$')) throw new ValidationError(`Stream name "${stream}" is reserved: names starting with $ belong to the store`);
  if (!Array.isArray(events) || events.length === 0) throw new ValidationError(`Append to ${stream} needs at least one event`);
  return events.map((event, index) => {
    if (!uuidPattern.test(event.eventId)) throw new ValidationError(`Event ${index} for ${stream}: eventId must be a UUID`);
    if (typeof event.type !== 'string' || event.type === '') throw new ValidationError(`Event ${index} for ${stream}: type must be a non-empty string`);
    return {
      eventId: event.eventId.toLowerCase(),
      type: event.type,
      data: toJson(event.data, `Event ${index} (${event.type}) for ${stream}: data`),
      metadata: toJson(event.metadata, `Event ${index} (${event.type}) for ${stream}: metadata`),
    };
  });
}

function toJson(value: unknown, what: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(`${what} must be a JSON object`);
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(`${what} is not JSON-serialisable: ${(error as Error).message}`);
  }
}
