import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import type { PersonalDataVault, Sealed } from '../../domain/privacy/personal-data.ts';

/** Where the wrapped data keys live: not a projection (never rebuilt), one document per subject. */
const KEYS = 'data_keys';
const PREFIX = 'pd1.';

interface WrappedKey extends Document {
  wrapped: string;
  createdAt: string;
}

function encrypt(key: Buffer, plaintext: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function decrypt(key: Buffer, sealed: string, context: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
}

/**
 * Envelope encryption: each subject (a user, a connection) has its own AES-256 data key, stored
 * wrapped by the master key. Values are bound to their subject (GCM additional data), so a sealed
 * value copied to another subject does not open.
 */
export function createVault(store: DocumentStore, masterKey: Buffer, now: () => Date = () => new Date()): PersonalDataVault {
  const keys = () => store.collection<WrappedKey>(KEYS);
  const cache = new Map<string, Buffer>();

  async function existingKey(subject: string): Promise<Buffer | undefined> {
    const cached = cache.get(subject);
    if (cached) return cached;
    const stored = await keys().get(subject);
    if (!stored) return undefined;
    const key = decrypt(masterKey, stored.wrapped, `data-key:${subject}`);
    cache.set(subject, key);
    return key;
  }

  async function keyFor(subject: string): Promise<Buffer> {
    const existing = await existingKey(subject);
    if (existing) return existing;
    const key = randomBytes(32);
    await keys().upsert({ _id: subject, wrapped: encrypt(masterKey, key, `data-key:${subject}`), createdAt: now().toISOString() });
    cache.set(subject, key);
    return key;
  }

  return {
    async seal(subject, plaintext) {
      return `${PREFIX}${encrypt(await keyFor(subject), Buffer.from(plaintext, 'utf8'), subject)}` as Sealed;
    },
    async open(subject, sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not a sealed value');
      const key = await existingKey(subject);
      return key ? decrypt(key, sealed.slice(PREFIX.length), subject).toString('utf8') : undefined;
    },
    async forget(subject) {
      cache.delete(subject);
      await keys().deleteMany({ _id: subject });
    },
  };
}
