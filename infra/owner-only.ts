import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';

/*
 * DATA_DIR holds the event log, personal data and (on the embedded default) the master key: only
 * the user Cloudventory runs as may read any of it. New folders are 0700 and new files 0600, set
 * with chmod so that no umask changes them; existing ones lose any group and other permissions.
 */

export interface Narrowing {
  /** The permissions it had (e.g. 0o755). */
  was: number;
  /** False when this user could not change them (it belongs to another user). */
  narrowed: boolean;
}

/** Creates `dir` (with its missing parents) as 0700, or takes others' access off an existing one. */
export function ownerOnlyDir(dir: string): Narrowing | undefined {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dir, 0o700);
  return statSync(dir).isDirectory() ? narrow(dir) : undefined;
}

/**
 * Creates `file` empty as 0600 when it is missing (unless `create` is false), or takes others'
 * access off it. Never opens an existing file: closing a descriptor would drop the SQLite locks
 * this process holds on it.
 */
export function ownerOnlyFile(file: string, { create = true } = {}): Narrowing | undefined {
  if (create && createOwnerOnly(file)) return undefined;
  try {
    return narrow(file);
  } catch (error) {
    if (!create && (error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** 0o755 → "0755", as people read modes. */
export const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

function createOwnerOnly(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  return true;
}

function narrow(path: string): Narrowing | undefined {
  const was = statSync(path).mode & 0o777;
  if ((was & 0o077) === 0) return undefined;
  try {
    chmodSync(path, was & 0o700);
    return { was, narrowed: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'EPERM') throw error;
    return { was, narrowed: false };
  }
}
