import { MongoClient, MongoServerError, type ClientSession, type Db, type Filter as MongoFilter, type Sort } from 'mongodb';
import { ConflictError, StoreUnavailableError, ValidationError } from '../../domain/errors.ts';
import {
  CHECKPOINTS,
  type BulkOperation,
  type Checkpoint,
  type Collection,
  type Document,
  type DocumentStore,
  type Filter,
  type FindOptions,
  type Update,
} from '../../domain/read-models/document-store.ts';
import { assertCountOptions, assertFilter, assertFindOptions } from './query-validation.ts';

const collectionName = /^[a-z][a-z0-9_]{0,62}$/;
const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;

const toSort = (options: FindOptions | undefined): Sort => {
  const sort: [string, 1 | -1][] = (options?.sort ?? []).map(([path, direction]) => [path, direction]);
  // The same final tie-break as the SQLite adapter, so pages are stable and identical.
  if (!sort.some(([path]) => path === '_id')) sort.push(['_id', 1]);
  return sort;
};

/**
 * Escapes every regular-expression metacharacter, so the text matches only itself. A NUL becomes
 * `\x00`: MongoDB refuses a pattern holding a raw NUL byte.
 */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('\0', '\\x00');

const isCondition = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).every((k) => k.startsWith('$'));

/**
 * Rewrites our filter subset into MongoDB's query language. Everything but `$contains` is already
 * MongoDB's own; `$contains` becomes an escaped, case-insensitive `$regex` on a string field.
 * The `i` flag folds non-ASCII letters too, which SQLite's lower() does not: only ASCII folding is
 * promised by the port. Run it after assertFilter.
 */
/**
 * Keys as the server can store them. FerretDB (and MongoDB before 5.0) refuse a dot or a leading `$`
 * in a key, and AWS tag keys hold both (`kubernetes.io/cluster/x`): they are escaped as `%2E` and
 * `%24` (and `%` itself as `%25`, so every key comes back as it was). Our own field names never
 * hold them, so filters and sorts on our paths are unaffected.
 */
const escapeKey = (key: string) => (/[.%$]/.test(key) ? key.replaceAll('%', '%25').replaceAll('.', '%2E').replace(/^\$/, '%24') : key);
const unescapeKey = (key: string) => (key.includes('%') ? key.replaceAll('%2E', '.').replace(/^%24/, '$').replaceAll('%25', '%') : key);

function mapKeys(value: unknown, map: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, map));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) out[map(key)] = mapKeys(member, map);
  return out;
}

const toStored = <T extends object>(document: T) => mapKeys(document, escapeKey) as T;
const fromStored = (document: object) => mapKeys(document, unescapeKey);
/** An update's values escaped like documents (its keys are our paths). */
const storedUpdate = (update: Update): never =>
  Object.fromEntries(Object.entries(update).map(([operator, fields]) => [operator, operator === '$set' ? Object.fromEntries(Object.entries(fields as object).map(([path, value]) => [path, mapKeys(value, escapeKey)])) : fields])) as never;

function toMongoFilter(filter: Filter): MongoFilter<Document> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      out[key] = (value as readonly Filter[]).map(toMongoFilter);
    } else if (isCondition(value) && '$contains' in value) {
      const { $contains: needle, ...rest } = value;
      // A $regex alone already skips numbers and other non-strings, but it matches an array that
      // holds a matching string; SQLite never does, so arrays are kept out.
      out[key] = { ...rest, $type: 'string', $not: { $type: 'array' }, $regex: escapeRegExp(needle as string), $options: 'i' };
    } else {
      out[key] = value;
    }
  }
  return out as MongoFilter<Document>;
}

function translate(error: unknown, collection: string): Error {
  if (error instanceof MongoServerError && error.code === DUPLICATE_KEY)
    return new ConflictError(`A document in ${collection} already has these unique values`);
  const name = (error as Error).name ?? '';
  if (/MongoNetwork|MongoServerSelection|MongoTopologyClosed/.test(name)) return new StoreUnavailableError(`MongoDB is unavailable: ${(error as Error).message}`, error);
  return error as Error;
}

/**
 * Read models on MongoDB (or a server speaking its protocol, such as FerretDB).
 * Units of work run in a transaction when the server offers them (a replica set). When it does
 * not, the writes run in order and the checkpoint is written last. That is safe because projection
 * handlers are idempotent (upserts by deterministic ids, values derived from the events): a crash
 * before the checkpoint replays the batch, and replaying rewrites the same documents.
 */
export async function openMongoDocumentStore(url: string): Promise<DocumentStore> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000, ignoreUndefined: true });
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new StoreUnavailableError(`Cannot reach MongoDB at ${url.replace(/\/\/[^@/]*@/, '//')}: ${(error as Error).message}`, error);
  }
  const db: Db = client.db();
  const hello = await db.admin().command({ hello: 1 });
  const transactional = Boolean(hello.setName) || hello.msg === 'isdbgrid';

  const raw = (name: string) => {
    if (!collectionName.test(name)) throw new ValidationError(`Invalid collection name: ${name}`);
    return db.collection<Document>(name);
  };

  function handle<T extends Document>(name: string, session?: ClientSession): Collection<T> {
    const c = raw(name);
    const run = async <R>(op: () => Promise<R>): Promise<R> => {
      try {
        return await op();
      } catch (error) {
        throw translate(error, name);
      }
    };
    const filterOf = (filter: Filter | undefined) => {
      assertFilter(filter);
      return toMongoFilter(filter ?? {});
    };
    return {
      name,
      get: (id) => run(async () => {
        const found = await c.findOne({ _id: id }, { session });
        return found ? (fromStored(found) as T) : undefined;
      }),
      find: (filter, options) =>
        run(async () => {
          assertFindOptions(options);
          let cursor = c.find(filterOf(filter), { session }).sort(toSort(options));
          if (options?.hint) cursor = cursor.hint(options.hint.index);
          if (options?.skip) cursor = cursor.skip(options.skip);
          if (options?.limit) cursor = cursor.limit(options.limit);
          return (await cursor.toArray()).map((found) => fromStored(found) as T);
        }),
      count: (filter, options) =>
        run(() => {
          assertCountOptions(options);
          return c.countDocuments(filterOf(filter), { session, ...(options?.hint && { hint: options.hint.index }) });
        }),
      upsert: (document) =>
        run(async () => {
          if (typeof document._id !== 'string' || document._id === '') throw new ValidationError(`Documents in ${name} need a string _id`);
          await c.replaceOne({ _id: document._id }, toStored(document), { upsert: true, session });
        }),
      updateMany: (filter, update) => run(async () => (await c.updateMany(filterOf(filter), storedUpdate(update), { session })).matchedCount),
      deleteMany: (filter) => run(async () => (await c.deleteMany(filterOf(filter), { session })).deletedCount),
      bulk: (operations: readonly BulkOperation<T>[]) =>
        run(async () => {
          if (operations.length === 0) return;
          await c.bulkWrite(
            operations.map((op) =>
              'upsert' in op
                ? { replaceOne: { filter: { _id: op.upsert._id }, replacement: toStored(op.upsert), upsert: true } }
                : 'updateMany' in op
                  ? { updateMany: { filter: filterOf(op.updateMany.filter), update: storedUpdate(op.updateMany.update) } }
                  : { deleteMany: { filter: filterOf(op.deleteMany) } },
            ),
            { ordered: true, session },
          );
        }),
      explain: (filter, options) =>
        run(async () => {
          assertFindOptions(options);
          let cursor = c.find(filterOf(filter)).sort(toSort(options));
          if (options?.hint) cursor = cursor.hint(options.hint.index);
          if (options?.limit) cursor = cursor.limit(options.limit);
          const plan = await cursor.explain('queryPlanner');
          return JSON.stringify(plan.queryPlanner?.winningPlan ?? plan);
        }),
    };
  }

  return {
    kind: 'mongo',

    async ensureCollection(name, spec = {}) {
      const collection = raw(name);
      await db.createCollection(name).catch((error: unknown) => {
        if ((error as MongoServerError).code !== NAMESPACE_EXISTS) throw translate(error, name);
      });
      for (const index of spec.indexes ?? []) {
        await collection.createIndex(Object.fromEntries(index.fields), { name: index.name, unique: index.unique ?? false });
      }
    },

    collection: <T extends Document>(name: string) => handle<T>(name),

    async dropCollection(name) {
      await raw(name)
        .drop()
        .catch((error: unknown) => {
          if ((error as MongoServerError).code !== NAMESPACE_NOT_FOUND) throw translate(error, name);
        });
    },

    async unitOfWork(work, options = {}) {
      if (!transactional) {
        const result = await work({ collection: (name) => handle(name) });
        if (options.checkpoint) await handle<Checkpoint>(CHECKPOINTS).upsert(options.checkpoint);
        return result;
      }
      const session = client.startSession();
      try {
        return await session.withTransaction(async () => {
          const result = await work({ collection: (name) => handle(name, session) });
          if (options.checkpoint) await handle<Checkpoint>(CHECKPOINTS, session).upsert(options.checkpoint);
          return result;
        });
      } finally {
        await session.endSession();
      }
    },

    getCheckpoint: (id) => handle<Checkpoint>(CHECKPOINTS).get(id),

    close: () => client.close(),
  };
}
