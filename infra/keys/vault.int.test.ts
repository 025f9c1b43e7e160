import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteDocumentStore } from '../document-store/sqlite.ts';
import { createVault } from './vault.ts';

const store = () => openSqliteDocumentStore(join(mkdtempSync(join(tmpdir(), 'cv-vault-')), 'read-models.db'));

describe('personal data vault', () => {
  it('seals per subject, opens across restarts, and shreds on forget', async () => {
    const documents = store();
    const master = randomBytes(32);
    const vault = createVault(documents, master);
    const sealed = await vault.seal('user-1', 'ada@example.com');
    expect(sealed).toMatch(/^pd1\./);
    expect(sealed).not.toContain('ada');
    expect(await vault.seal('user-1', 'ada@example.com')).not.toBe(sealed);

    const restarted = createVault(documents, master);
    expect(await restarted.open('user-1', sealed)).toBe('ada@example.com');
    await expect(restarted.open('user-2', sealed)).resolves.toBeUndefined();

    await restarted.forget('user-1');
    expect(await restarted.open('user-1', sealed)).toBeUndefined();
    expect(await createVault(documents, master).open('user-1', sealed)).toBeUndefined();
  });

  it('refuses a value moved to another subject and a wrong master key', async () => {
    const documents = store();
    const vault = createVault(documents, randomBytes(32));
    const sealed = await vault.seal('user-1', 'secret');
    await vault.seal('user-2', 'other');
    await expect(vault.open('user-2', sealed)).rejects.toThrow();
    await expect(createVault(documents, randomBytes(32)).open('user-1', sealed)).rejects.toThrow();
  });
});
