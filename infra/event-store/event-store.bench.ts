// event-store: appending and reading the whole log through the port against bare better-sqlite3 on
// the same rows. The log it writes is then lent to the benches that need one (the projection
// runner's, projections/runner.bench.ts), before it is closed.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EventStore, NewEvent } from '../../domain/eventsourcing/event-store.ts';
import { bareSqlite, result, timed, type BenchResult } from '../bench/report.ts';
import { openSqliteEventStore } from './sqlite.ts';

const EVENTS = 200_000;
const BATCH = 100;
const STREAMS = 1_000;

/** ~300-byte events spread over 1,000 streams, of a kind the audit trail records, built before any clock starts. */
function workload(): Array<{ stream: string; events: NewEvent[] }> {
  return Array.from({ length: EVENTS / BATCH }, (_, b) => ({
    stream: `connection-bench-${b % STREAMS}`,
    events: Array.from({ length: BATCH }, (_, i) => ({
      eventId: randomUUID(),
      type: 'ConnectionValidated',
      data: { arn: `arn:aws:ec2:eu-west-1:123456789012:instance/i-${(b * BATCH + i).toString(16).padStart(17, '0')}`, changed: ['tags.Env', 'state'], state: 'running' },
      metadata: { occurredAt: '2026-11-27T10:00:00.000Z', actor: 'system', orgId: 'org-1', correlationId: 'scan-1', causationId: 'scan-1' },
    })),
  }));
}

const eventsSchema = `CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL,
  type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision));
  CREATE INDEX events_by_event_id ON events (event_id);`;

/** The log the append bench wrote: through the port (`store`), and as bare rows (`raw`, table `events`). */
export interface WrittenLog {
  store: EventStore;
  raw: Database.Database;
  events: number;
}

export async function eventStoreBenches(dir: string, onTheLog: (log: WrittenLog) => Promise<BenchResult[]> = async () => []): Promise<BenchResult[]> {
  const batches = workload();

  // append: through the port, with the expected revision checked, against bare inserts of the same rows.
  const store = openSqliteEventStore(join(dir, 'events.db'));
  const revisions = new Map<string, bigint>();
  const ours = await timed(async () => {
    for (const { stream, events } of batches) {
      const { nextRevision } = await store.append(stream, events, { expected: revisions.get(stream) ?? 'no_stream' });
      revisions.set(stream, nextRevision);
    }
  });
  const raw = bareSqlite(join(dir, 'raw-events.db'));
  raw.exec(eventsSchema);
  const insert = raw.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const counts = new Map<string, number>();
  const insertBatch = raw.transaction((stream: string, events: NewEvent[]) => {
    let revision = counts.get(stream) ?? 0;
    for (const e of events) insert.run(stream, revision++, e.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
    counts.set(stream, revision);
  });
  const baseline = await timed(() => {
    for (const { stream, events } of batches) insertBatch.immediate(stream, events);
  });
  const results = [result('append', 'events/s', EVENTS / ours, EVENTS / baseline, 'ratio >= 0.5')];

  // read-all: the port's readAll against a bare SELECT that parses the same JSON.
  let read = 0;
  const oursRead = await timed(async () => {
    for await (const _ of store.readAll()) read++;
  });
  if (read !== EVENTS) throw new Error(`read-all read ${read} events`);
  const baselineRead = await timed(() => {
    let n = 0;
    for (const row of raw.prepare<[], { data: string; metadata: string }>('SELECT * FROM events ORDER BY position').iterate()) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      n++;
    }
    if (n !== EVENTS) throw new Error(`raw read ${n} rows`);
  });
  results.push(result('read-all', 'events/s', EVENTS / oursRead, EVENTS / baselineRead, 'ratio >= 0.5'));

  results.push(...(await onTheLog({ store, raw, events: EVENTS })));

  await store.close();
  raw.close();
  return results;
}
