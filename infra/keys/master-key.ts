import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { octal, ownerOnlyFile } from '../owner-only.ts';
import { StartupError } from '../startup-error.ts';

const FILE = 'master.key';

/**
 * The key that wraps every data key. Given in CLOUDVENTORY_MASTER_KEY, or — on the embedded
 * default only — generated once into DATA_DIR with owner-only permissions, which the log says.
 */
export function loadMasterKey(config: Config, dataDir: string | undefined, logger: Logger): Buffer {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64');
  if (!dataDir) throw new StartupError('CLOUDVENTORY_MASTER_KEY must be set when running on EventStoreDB and MongoDB (openssl rand -base64 32)');
  const file = join(dataDir, FILE);
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    logger.warn({ file }, 'generated a master key for the embedded default; back it up with DATA_DIR, or set CLOUDVENTORY_MASTER_KEY');
  } else {
    const narrowing = ownerOnlyFile(file, { create: false });
    if (narrowing) logger.warn({ file }, `the master key file was readable by other users (${octal(narrowing.was)})${narrowing.narrowed ? ': narrowed to owner-only' : ' and belongs to another user: chmod 600 it'}`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new StartupError(`The master key in ${file} is not 32 bytes of base64`);
  return key;
}
