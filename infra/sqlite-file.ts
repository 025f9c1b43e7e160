import Database from 'better-sqlite3';
import { ownerOnlyFile } from './owner-only.ts';
import { StartupError } from './startup-error.ts';

/**
 * Opens one of the embedded SQLite files (WAL, full sync, a busy timeout for other processes) and
 * turns the ways that can fail into a message a person can act on. The file is owner-only (0600),
 * created so before SQLite would create it 0644; its -wal and -shm files take its mode.
 */
export function openDatabaseFile(file: string, what: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    ownerOnlyFile(file);
    for (const companion of [`${file}-wal`, `${file}-shm`]) ownerOnlyFile(companion, { create: false });
    db = new Database(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db?.close();
    throw new StartupError(`Cannot open the ${what} at ${file}: ${explain(error)}`);
  }
}

function explain(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return 'the file is not a valid SQLite database (corrupt, or not ours)';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'the file is locked by another process';
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM' || code === 'SQLITE_IOERR_WRITE' || code === 'EACCES' || code === 'EROFS')
    return 'the file or its folder is not writable by this user';
  return (error as Error).message;
}
