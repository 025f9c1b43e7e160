import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { ConcurrencyError, StreamDeletedError } from '../../domain/errors.ts';
import { parseMetadata } from '../../domain/eventsourcing/event-schemas.ts';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../../domain/eventsourcing/event-store.ts';
import { serialiseAppend } from './append-input.ts';
import { openDatabaseFile } from '../sqlite-file.ts';

const PAGE = 1000;
/** Another process's appends are noticed by polling the file's data version this often. */
const CROSS_PROCESS_POLL_MS = 200;

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

export const sqlitePosition = (sequence: number): Position => String(sequence).padStart(20, '0') as Position;
const sequenceOf = (position: Position | undefined): number => (position === undefined ? 0 : Number(position));

const schema = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream   TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type     TEXT NOT NULL,
    data     TEXT NOT NULL,
    metadata TEXT NOT NULL,
    UNIQUE (stream, revision)
  );
  CREATE INDEX IF NOT EXISTS events_by_event_id ON events (event_id);
  CREATE TABLE IF NOT EXISTS tombstones (stream TEXT PRIMARY KEY) WITHOUT ROWID;
`;

/**
 * The embedded event store: one SQLite file in WAL mode. Appends run in IMMEDIATE transactions,
 * so writers in several processes are serialised by SQLite itself.
 */
export function openSqliteEventStore(file: string): EventStore {
  const db = openDatabaseFile(file, 'event store');
  db.exec(schema);

  const appended = new EventEmitter().setMaxListeners(0);
  const statements = {
    lastRevision: db.prepare<[string], { revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream = ?'),
    isTombstoned: db.prepare<[string], { stream: string }>('SELECT stream FROM tombstones WHERE stream = ?'),
    byEventId: db.prepare<[string, string], { revision: number; position: number }>(
      'SELECT revision, position FROM events WHERE event_id = ? AND stream = ?',
    ),
    eventIdAt: db.prepare<[string, number], { event_id: string; position: number }>(
      'SELECT event_id, position FROM events WHERE stream = ? AND revision = ?',
    ),
    insert: db.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)'),
    readStream: db.prepare<[string, number, number], EventRow>(
      'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
    ),
    head: db.prepare<[], { position: number | null }>('SELECT max(position) AS position FROM events'),
    countAfter: db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE position > ? LIMIT ?)'),
    tombstone: db.prepare('INSERT OR IGNORE INTO tombstones (stream) VALUES (?)'),
    deleteStream: db.prepare('DELETE FROM events WHERE stream = ?'),
  };
  const readAllStatements = new Map<string, Database.Statement<unknown[], EventRow>>();

  const appendTransaction = db.transaction((stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
    const serialised = serialiseAppend(stream, events);
    if (statements.isTombstoned.get(stream)) throw new StreamDeletedError(stream);

    const retried = replayedAppend(stream, serialised.map((e) => e.eventId));
    if (retried) return retried;

    const last = statements.lastRevision.get(stream)?.revision ?? -1;
    assertExpected(stream, expected, last);
    let position = 0;
    serialised.forEach((event, index) => {
      const info = statements.insert.run(stream, last + 1 + index, event.eventId, event.type, event.data, event.metadata);
      position = Number(info.lastInsertRowid);
    });
    return { nextRevision: BigInt(last + serialised.length), position: sqlitePosition(position) };
  });

  /** A retry of an append that already landed returns the original result instead of writing again. */
  function replayedAppend(stream: string, eventIds: string[]): AppendResult | undefined {
    const first = statements.byEventId.get(eventIds[0]!, stream);
    if (!first) return undefined;
    let position = first.position;
    for (let i = 1; i < eventIds.length; i++) {
      const row = statements.eventIdAt.get(stream, first.revision + i);
      if (!row || row.event_id !== eventIds[i]) {
        throw new ConcurrencyError(stream, 'a retry of an earlier append', 'a different sequence of events');
      }
      position = row.position;
    }
    return { nextRevision: BigInt(first.revision + eventIds.length - 1), position: sqlitePosition(position) };
  }

  function toRecorded(row: EventRow): RecordedEvent {
    const revision = BigInt(row.revision);
    return {
      stream: row.stream,
      revision,
      position: sqlitePosition(row.position),
      eventId: row.event_id,
      type: row.type,
      data: JSON.parse(row.data) as unknown,
      metadata: parseMetadata(JSON.parse(row.metadata), { stream: row.stream, revision, type: row.type }),
    };
  }

  function readAllStatement(filter: EventFilter | undefined): { statement: Database.Statement<unknown[], EventRow>; params: unknown[] } {
    const clauses = ['position > ?'];
    const params: unknown[] = [];
    if (filter?.streamPrefixes?.length) {
      clauses.push(`(${filter.streamPrefixes.map(() => "substr(stream, 1, length(?)) = ?").join(' OR ')})`);
      for (const prefix of filter.streamPrefixes) params.push(prefix, prefix);
    }
    if (filter?.eventTypes?.length) {
      clauses.push(`type IN (${filter.eventTypes.map(() => '?').join(', ')})`);
      params.push(...filter.eventTypes);
    }
    const sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT ?`;
    let statement = readAllStatements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[], EventRow>(sql);
      readAllStatements.set(sql, statement);
    }
    return { statement, params };
  }

  function readPage(after: number, limit: number, filter: EventFilter | undefined): EventRow[] {
    const { statement, params } = readAllStatement(filter);
    return statement.all(after, ...params, limit);
  }

  /** Resolves when this process appends, when another process changes the file, or on abort. */
  function nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const version = dataVersion();
      const done = () => {
        clearInterval(timer);
        appended.off('append', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setInterval(() => {
        if (!db.open || dataVersion() !== version) done();
      }, CROSS_PROCESS_POLL_MS);
      appended.once('append', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  const dataVersion = (): number => db.pragma('data_version', { simple: true }) as number;

  return {
    kind: 'sqlite',

    async append(stream, events, { expected }) {
      const result = appendTransaction.immediate(stream, events, expected);
      appended.emit('append');
      return result;
    },

    async *readStream(stream, options = {}) {
      if (statements.isTombstoned.get(stream)) throw new StreamDeletedError(stream);
      let from = Number(options.from ?? 0n);
      let remaining = options.max ?? Number.POSITIVE_INFINITY;
      while (remaining > 0) {
        const rows = statements.readStream.all(stream, from, Math.min(PAGE, remaining));
        for (const row of rows) yield toRecorded(row);
        if (rows.length < PAGE) return;
        from += rows.length;
        remaining -= rows.length;
      }
    },

    async *readAll(options: ReadAllOptions = {}) {
      let after = sequenceOf(options.from);
      let remaining = options.max ?? Number.POSITIVE_INFINITY;
      while (remaining > 0) {
        const rows = readPage(after, Math.min(PAGE, remaining), options.filter);
        for (const row of rows) yield toRecorded(row);
        if (rows.length < Math.min(PAGE, remaining)) return;
        after = rows[rows.length - 1]!.position;
        remaining -= rows.length;
      }
    },

    async *subscribeAll(options: SubscribeOptions = {}) {
      let after = sequenceOf(options.from);
      const { signal, filter } = options;
      while (!signal?.aborted && db.open) {
        const rows = readPage(after, PAGE, filter);
        for (const row of rows) {
          if (signal?.aborted) return;
          yield toRecorded(row);
          after = row.position;
        }
        if (rows.length === 0) await nextChange(signal);
      }
    },

    async headPosition() {
      const head = statements.head.get()?.position;
      return head == null ? undefined : sqlitePosition(head);
    },

    async countAfter(after, cap) {
      return statements.countAfter.get(sequenceOf(after), cap)?.n ?? 0;
    },

    async tombstone(stream) {
      db.transaction(() => {
        statements.tombstone.run(stream);
        statements.deleteStream.run(stream);
      }).immediate();
    },

    async close() {
      appended.emit('append');
      db.close();
    },
  };
}

function assertExpected(stream: string, expected: ExpectedRevision, last: number): void {
  const actual = last < 0 ? 'no_stream' : `revision ${last}`;
  if (expected === 'any') return;
  if (expected === 'no_stream' && last < 0) return;
  if (expected === 'exists' && last >= 0) return;
  if (typeof expected === 'bigint' && BigInt(last) === expected) return;
  throw new ConcurrencyError(stream, typeof expected === 'bigint' ? `revision ${expected}` : expected, actual);
}
