import type Database from 'better-sqlite3';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import {
  CHECKPOINTS,
  type BulkOperation,
  type Checkpoint,
  type Collection,
  type CollectionSpec,
  type Document,
  type DocumentStore,
  type Filter,
  type FindOptions,
  type Update,
} from '../../domain/read-models/document-store.ts';
import { openDatabaseFile } from '../sqlite-file.ts';
import { malformed } from './query-validation.ts';
import { compileFilter, compileHint, compilePaging, compileSort, fieldExpression } from './sqlite-query.ts';
import { applyUpdate } from './update.ts';

const collectionName = /^[a-z][a-z0-9_]{0,62}$/;
const tableOf = (name: string): string => {
  if (!collectionName.test(name)) throw new ValidationError(`Invalid collection name: ${name}`);
  return `"docs_${name}"`;
};

/**
 * The embedded read-model store: one SQLite file, a table per collection holding JSON documents.
 * Writes go through one connection, one unit of work at a time; reads outside a unit of work use a
 * second connection, so a query never sees a half-applied batch.
 */
export function openSqliteDocumentStore(file: string): DocumentStore {
  const writer = openDatabaseFile(file, 'read-model store');
  const reader = openDatabaseFile(file, 'read-model store');
  const ensured = new Set<string>();
  const statements = new Map<string, Database.Statement>();
  /** Prepared statements are reused: preparing costs more than running a small query. */
  function prepare<P extends unknown[], R>(db: Database.Database, sql: string): Database.Statement<P, R> {
    const key = `${db === writer ? 'w' : 'r'}${sql}`;
    let statement = statements.get(key);
    if (!statement) {
      if (statements.size >= 1000) statements.clear();
      statements.set(key, (statement = db.prepare(sql)));
    }
    return statement as Database.Statement<P, R>;
  }
  let queue: Promise<unknown> = Promise.resolve();

  /** Serialises writers: better-sqlite3 has one transaction per connection. */
  function exclusively<R>(work: () => Promise<R>): Promise<R> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  /** Called inside a write transaction; a rollback forgets what it created. */
  function ensureTable(name: string): void {
    if (ensured.has(name)) return;
    writer.exec(`CREATE TABLE IF NOT EXISTS ${tableOf(name)} (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    ensured.add(name);
  }

  /** A collection nobody has written to yet reads as empty; a hint naming an index it lacks is our bug. */
  function read<R>(query: () => R, empty: R): R {
    try {
      return query();
    } catch (error) {
      if (/no such table/.test((error as Error).message)) return empty;
      throw unknownIndex(error) ?? error;
    }
  }

  function handle<T extends Document>(name: string, db: Database.Database, inTransaction: boolean): Collection<T> {
    const table = tableOf(name);
    const write = <R>(work: () => R): Promise<R> => {
      const withTable = () => (ensureTable(name), work());
      if (inTransaction) return Promise.resolve(withTable());
      return exclusively(async () => {
        try {
          return writer.transaction(withTable).immediate();
        } catch (error) {
          ensured.delete(name);
          throw error;
        }
      });
    };

    function select(filter: Filter | undefined, options: FindOptions | undefined, columns = 'doc'): { sql: string; params: unknown[] } {
      const where = compileFilter(filter);
      const paging = compilePaging(options, where.params);
      return { sql: `SELECT ${columns} FROM ${table}${compileHint(name, options)} WHERE ${where.sql} ORDER BY ${compileSort(options?.sort)}${paging}`, params: where.params };
    }

    const upsertStatement = () => prepare(writer, `INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`);
    const upsertNow = (document: T) => {
      if (typeof document._id !== 'string' || document._id === '') throw new ValidationError(`Documents in ${name} need a string _id`);
      try {
        upsertStatement().run(document._id, JSON.stringify(document));
      } catch (error) {
        throw uniqueViolation(error, name) ?? error;
      }
    };
    const updateNow = (filter: Filter, update: Update) => {
      const { sql, params } = select(filter, undefined, 'id, doc');
      const rows = prepare<unknown[], { id: string; doc: string }>(writer, sql).all(...params);
      for (const row of rows) upsertNow(applyUpdate(JSON.parse(row.doc) as T, update));
      return rows.length;
    };
    const deleteNow = (filter: Filter) => {
      const where = compileFilter(filter);
      return prepare(writer, `DELETE FROM ${table} WHERE ${where.sql}`).run(...where.params).changes;
    };

    return {
      name,
      async get(id) {
        const row = read(() => prepare<[string], { doc: string }>(db, `SELECT doc FROM ${table} WHERE id = ?`).get(id), undefined);
        return row ? (JSON.parse(row.doc) as T) : undefined;
      },
      async find(filter, options) {
        const { sql, params } = select(filter, options);
        const rows = read(() => prepare<unknown[], { doc: string }>(db, sql).all(...params), []);
        return rows.map((row) => JSON.parse(row.doc) as T);
      },
      async count(filter, options) {
        const where = compileFilter(filter);
        return read(() => prepare<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM ${table}${compileHint(name, options)} WHERE ${where.sql}`).get(...where.params)!.n, 0);
      },
      upsert: (document) => write(() => upsertNow(document)),
      updateMany: (filter, update) => write(() => updateNow(filter, update)),
      deleteMany: (filter) => write(() => deleteNow(filter)),
      bulk: (operations: readonly BulkOperation<T>[]) =>
        write(() => {
          for (const op of operations) {
            if ('upsert' in op) upsertNow(op.upsert);
            else if ('updateMany' in op) updateNow(op.updateMany.filter, op.updateMany.update);
            else deleteNow(op.deleteMany);
          }
        }),
      async explain(filter, options) {
        const { sql, params } = select(filter, options);
        try {
          return db
            .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
            .all(...params)
            .map((row) => row.detail)
            .join('\n');
        } catch (error) {
          throw unknownIndex(error) ?? error;
        }
      },
    };
  }

  return {
    kind: 'sqlite',

    async ensureCollection(name, spec: CollectionSpec = {}) {
      const table = tableOf(name);
      await exclusively(async () => {
        writer.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
        for (const index of spec.indexes ?? []) {
          const columns = index.fields.map(([path, direction]) => `${fieldExpression(path)}${direction === -1 ? ' DESC' : ''}`).join(', ');
          writer.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "docs_${name}__${index.name}" ON ${table} (${columns})`);
        }
        ensured.add(name);
      });
    },

    collection: <T extends Document>(name: string) => handle<T>(name, reader, false),

    async dropCollection(name) {
      const table = tableOf(name);
      await exclusively(async () => {
        writer.exec(`DROP TABLE IF EXISTS ${table}`);
        ensured.delete(name);
        for (const key of statements.keys()) if (key.includes(table)) statements.delete(key);
      });
    },

    unitOfWork(work, options = {}) {
      return exclusively(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await work({ collection: <T extends Document>(name: string) => handle<T>(name, writer, true) });
          if (options.checkpoint) await handle<Checkpoint>(CHECKPOINTS, writer, true).upsert(options.checkpoint);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          ensured.clear();
          statements.clear();
          throw error;
        }
      });
    },

    getCheckpoint: (id) => handle<Checkpoint>(CHECKPOINTS, reader, false).get(id),

    async close() {
      await exclusively(async () => {
        writer.close();
        reader.close();
      });
    },
  };
}

/** A hint naming an index the collection does not have: our bug, like any malformed query. */
function unknownIndex(error: unknown): Error | undefined {
  const message = (error as Error).message ?? '';
  return /no such index/.test(message) ? malformed(`the index hint names no index of the collection (${message})`) : undefined;
}

function uniqueViolation(error: unknown, collection: string): ConflictError | undefined {
  const code = (error as { code?: string }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
  return new ConflictError(`A document in ${collection} already has these unique values`);
}
