/**
 * The DocumentStore port: read models as collections of JSON documents.
 * Adapters: infra/document-store/{sqlite,mongo}. Filters are a small MongoDB subset; keys that
 * start with `$` are operators and are only ever written by our code, never taken from a request.
 * A filter or option outside the subset is therefore our bug: the adapters refuse it as an internal
 * error (a 500), never as the caller's mistake.
 */

export interface Document {
  _id: string;
  [field: string]: unknown;
}

export type Scalar = string | number | boolean | null;

export interface Condition {
  $eq?: Scalar;
  $ne?: Scalar;
  $in?: readonly Scalar[];
  $nin?: readonly Scalar[];
  $gt?: string | number;
  $gte?: string | number;
  $lt?: string | number;
  $lte?: string | number;
  $exists?: boolean;
  /**
   * Case-insensitive substring match on a string field; a non-string or missing field never
   * matches. The needle is plain text, never a pattern: `.`, `*`, `%`, `_`, `(`, `\` and the like
   * match only themselves. Only ASCII letters are guaranteed to match regardless of case: SQLite's
   * `lower()` folds nothing else, while MongoDB also folds other letters (`É`/`é`), so do not rely
   * on case folding beyond ASCII. Needs 1 to 200 characters.
   */
  $contains?: string;
}

/** Field paths (dotted for nested fields, e.g. `tags.Env`) mapped to a value or a condition. */
export interface Filter {
  $and?: readonly Filter[];
  $or?: readonly Filter[];
  [path: string]: Scalar | Condition | readonly Filter[] | undefined;
}

export interface Update {
  $set?: Record<string, unknown>;
  $unset?: Record<string, true>;
  $inc?: Record<string, number>;
}

export type SortSpec = ReadonlyArray<readonly [path: string, direction: 1 | -1]>;

/**
 * Which of the collection's declared indexes (`IndexSpec.name`) a query should walk, when the caller
 * knows better than the store's planner: SQLite judges by the shape of the query alone (it keeps no
 * statistics), so for a range that rules out most documents, or an order that spares a sort, it may
 * pick another index. A hint never changes the answer, only how it is found. SQLite follows it
 * (`INDEXED BY`), MongoDB is given it as its `hint` (FerretDB accepts and ignores it). An index the
 * collection does not have is our bug: the query fails.
 */
export interface IndexHint {
  index: string;
}

export interface FindOptions {
  sort?: SortSpec;
  limit?: number;
  skip?: number;
  hint?: IndexHint;
}

export interface CountOptions {
  hint?: IndexHint;
}

export interface IndexSpec {
  name: string;
  fields: SortSpec;
  unique?: boolean;
}

export interface CollectionSpec {
  indexes?: readonly IndexSpec[];
}

export type BulkOperation<T extends Document> =
  | { upsert: T }
  | { updateMany: { filter: Filter; update: Update } }
  | { deleteMany: Filter };

export interface Collection<T extends Document = Document> {
  readonly name: string;
  get(id: string): Promise<T | undefined>;
  find(filter?: Filter, options?: FindOptions): Promise<T[]>;
  count(filter?: Filter, options?: CountOptions): Promise<number>;
  /** Inserts or replaces the whole document with this `_id`. */
  upsert(document: T): Promise<void>;
  updateMany(filter: Filter, update: Update): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
  /** Applies the operations in order. */
  bulk(operations: readonly BulkOperation<T>[]): Promise<void>;
  /** The store's own description of how it would run this query (which index it uses). */
  explain(filter?: Filter, options?: FindOptions): Promise<string>;
}

/** A projection's progress, written in the same unit of work as the documents it produced. */
export interface Checkpoint extends Document {
  position: string;
}

export interface DocumentTransaction {
  collection<T extends Document = Document>(name: string): Collection<T>;
}

export interface DocumentStore {
  readonly kind: 'sqlite' | 'mongo';
  /** Creates the collection and its declared indexes if they are missing. */
  ensureCollection(name: string, spec?: CollectionSpec): Promise<void>;
  collection<T extends Document = Document>(name: string): Collection<T>;
  dropCollection(name: string): Promise<void>;
  /**
   * Runs `work` so that its writes and the checkpoint land together: all or nothing where the store
   * has transactions; where it has not, in order with the checkpoint last (see the adapter).
   */
  unitOfWork<R>(work: (tx: DocumentTransaction) => Promise<R>, options?: { checkpoint?: Checkpoint }): Promise<R>;
  getCheckpoint(id: string): Promise<Checkpoint | undefined>;
  close(): Promise<void>;
}

export const CHECKPOINTS = 'projection_checkpoints';
