import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import type { Config } from './config.ts';
import { openMongoDocumentStore } from './document-store/mongo.ts';
import { openSqliteDocumentStore } from './document-store/sqlite.ts';
import { openEsdbEventStore } from './event-store/esdb.ts';
import { openSqliteEventStore } from './event-store/sqlite.ts';
import type { Logger } from './logger.ts';
import { octal, ownerOnlyDir } from './owner-only.ts';
import { StartupError } from './startup-error.ts';

export interface Stores {
  events: EventStore;
  documents: DocumentStore;
  /** The embedded default's folder; undefined when both stores are servers. */
  dataDir: string | undefined;
  close(): Promise<void>;
}

/**
 * Creates DATA_DIR owner-only if needed (or takes others' access off it) and proves it is a
 * writable folder before anything opens a file there.
 */
export function prepareDataDir(dataDir: string, logger: Logger): string {
  const dir = resolve(dataDir);
  try {
    const narrowing = ownerOnlyDir(dir);
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK | constants.R_OK);
    if (narrowing?.narrowed) logger.warn({ dataDir: dir }, `DATA_DIR was open to other users (${octal(narrowing.was)}): narrowed to ${octal(narrowing.was & 0o700)}`);
    else if (narrowing) logger.warn({ dataDir: dir }, `DATA_DIR is open to other users (${octal(narrowing.was)}) and belongs to another user: chmod 700 it`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'it is a file, not a folder' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable by this user' : (error as Error).message;
    throw new StartupError(`DATA_DIR ${dir} cannot be used: ${why}`);
  }
  return dir;
}

/** Picks the adapters: the servers when their URLs are set, else SQLite files in DATA_DIR. */
export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  const needsDataDir = !config.eventStoreUrl || !config.mongoUrl;
  const dataDir = needsDataDir ? prepareDataDir(config.dataDir, logger) : undefined;
  const events = config.eventStoreUrl ? openEsdbEventStore(config.eventStoreUrl) : openSqliteEventStore(join(dataDir!, 'events.db'));
  let documents: DocumentStore;
  try {
    documents = config.mongoUrl ? await openMongoDocumentStore(config.mongoUrl) : openSqliteDocumentStore(join(dataDir!, 'read-models.db'));
  } catch (error) {
    await events.close();
    throw error instanceof StartupError ? error : new StartupError((error as Error).message);
  }
  logger.info({ eventStore: events.kind, documentStore: documents.kind, dataDir }, 'stores open');
  return {
    events,
    documents,
    dataDir,
    async close() {
      await documents.close();
      await events.close();
    },
  };
}
