import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvents, upcaster } from './event-schemas.ts';
import type { Position, RecordedEvent } from './event-store.ts';

// A made-up event whose data changed shape twice: `name` became `firstName` + `lastName`, then `title` was added.
const renamed = upcaster({ retiredBy: 'v1', from: z.object({ name: z.string() }), to: ({ name }) => ({ firstName: name.split(' ')[0], lastName: name.split(' ').slice(1).join(' ') }) });
const titled = upcaster({ retiredBy: 'v2', from: z.object({ firstName: z.string(), lastName: z.string() }), to: (old) => ({ ...old, title: null }) });
const events = defineEvents({ PersonNamed: z.object({ firstName: z.string(), lastName: z.string(), title: z.string().nullable() }) }, { PersonNamed: [renamed, titled] });

const stored = (data: unknown, type = 'PersonNamed'): RecordedEvent => ({
  stream: 'person-1',
  revision: 4n,
  position: '00000000000000000005' as Position,
  eventId: 'e-1',
  type,
  data,
  metadata: { occurredAt: '2026-12-01T10:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'c' },
});

describe('reading a stored event through its schema', () => {
  it('reads the current shape as stored, dropping keys its schema does not name', () => {
    expect(events.parse(stored({ firstName: 'Ada', lastName: 'Lovelace', title: 'Countess', stray: 1 }))).toEqual({
      type: 'PersonNamed',
      data: { firstName: 'Ada', lastName: 'Lovelace', title: 'Countess' },
    });
  });

  it('takes an old shape through every step after it, oldest first', () => {
    expect(events.parse(stored({ name: 'Ada King Lovelace' })).data).toEqual({ firstName: 'Ada', lastName: 'King Lovelace', title: null });
    expect(events.parse(stored({ firstName: 'Ada', lastName: 'Lovelace' })).data).toEqual({ firstName: 'Ada', lastName: 'Lovelace', title: null });
  });

  it('refuses data in no known shape, and a type it does not know, naming the stream, revision and type', () => {
    expect(() => events.parse(stored({ nickname: 'Ada' }))).toThrow(
      'The stored event PersonNamed at revision 4 of stream person-1 matches neither its schema nor a shape its upcasters know: firstName: Invalid input: expected string, received undefined',
    );
    expect(() => events.parse(stored({}, 'PersonRenamed'))).toThrow('The stored event PersonRenamed at revision 4 of stream person-1 is none of the types expected here (PersonNamed)');
  });
});
