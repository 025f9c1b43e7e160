import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NewEvent } from '../../domain/eventsourcing/event-store.ts';
import { openSqliteDocumentStore } from '../document-store/sqlite.ts';
import { openSqliteEventStore } from '../event-store/sqlite.ts';
import { createVault } from '../keys/vault.ts';
import { createLogger } from '../logger.ts';
import { auditTrail } from '../../projections/audit/audit-trail.ts';
import { startProjection } from '../../projections/runner.ts';
import { physicalName } from '../../projections/generations.ts';
import { result, timed, type BenchResult } from './report.ts';

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

function rawDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

export async function eventStoreBenches(dir: string): Promise<BenchResult[]> {
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
  const raw = rawDatabase(join(dir, 'raw-events.db'));
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

  // project: the runner building the audit trail (one indexed document per event) against bare
  // inserts of the same documents into the same indexed table.
  const documents = openSqliteDocumentStore(join(dir, 'read-models.db'));
  const head = (await store.headPosition())!;
  const running = startProjection({ events: store, documents, logger: createLogger('silent') }, auditTrail(createVault(documents, randomBytes(32))));
  const oursProject = await timed(async () => {
    if (!(await running.waitFor(head, 600_000))) throw new Error('projection did not catch up');
  });
  await running.stop();
  const entries = await documents.collection(physicalName('audit', 'entries', 1)).count();
  if (entries !== EVENTS) throw new Error(`projected ${entries} documents`);

  const rawDocs = rawDatabase(join(dir, 'raw-docs.db'));
  rawDocs.exec(`CREATE TABLE docs (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX a ON docs (json_extract(doc, '$."orgId"'), json_extract(doc, '$."position"') DESC);
    CREATE INDEX b ON docs (json_extract(doc, '$."orgId"'), json_extract(doc, '$."actor"'), json_extract(doc, '$."position"') DESC);
    CREATE INDEX c ON docs (json_extract(doc, '$."actor"'), json_extract(doc, '$."position"') DESC);`);
  const insertDoc = rawDocs.prepare('INSERT INTO docs (id, doc) VALUES (?, ?)');
  const rows = raw.prepare<[], { position: number; stream: string; event_id: string; type: string; metadata: string }>('SELECT * FROM events ORDER BY position').all();
  const baselineProject = await timed(() => {
    const insertMany = rawDocs.transaction((slice: typeof rows) => {
      for (const row of slice) {
        const m = JSON.parse(row.metadata) as { occurredAt: string; actor: string; orgId: string; correlationId: string };
        const doc = { _id: row.event_id, at: m.occurredAt, actor: m.actor, orgId: m.orgId, action: row.type, stream: row.stream, position: String(row.position).padStart(20, '0'), correlationId: m.correlationId, ip: null, userAgent: null, detail: null };
        insertDoc.run(row.event_id, JSON.stringify(doc));
      }
    });
    for (let i = 0; i < rows.length; i += 500) insertMany.immediate(rows.slice(i, i + 500));
  });
  results.push(result('project', 'events/s', EVENTS / oursProject, EVENTS / baselineProject, 'ratio >= 0.3'));

  await documents.close();
  await store.close();
  raw.close();
  rawDocs.close();
  return results;
}
