import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Filter } from '../domain/read-models/document-store.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { createVault } from '../infra/keys/vault.ts';
import { ensureGeneration, physicalName } from './generations.ts';
import { mailOutbox } from './mail/outbox.ts';
import { createProjections } from './registry.ts';

describe('declared query patterns', () => {
  const documents = openSqliteDocumentStore(join(mkdtempSync(join(tmpdir(), 'cv-idx-')), 'read-models.db'));
  const vault = createVault(documents, randomBytes(32));
  const all = [...createProjections({ vault }), mailOutbox({ vault, recipient: async () => undefined, publicUrl: 'http://x', now: () => new Date() })];
  const cases = all.flatMap((projection) =>
    Object.entries(projection.collections).flatMap(([collection, spec]) => (spec.indexes ?? []).map((index) => ({ projection, collection, index }))),
  );

  it('finds the indexes of every registered projection and the outbox', () => {
    const names = cases.map((c) => c.projection.name);
    for (const name of ['audit', 'identity', 'organizations', 'mail']) expect(names).toContain(name);
  });

  it.each(cases.map((c) => [`${c.projection.name}.${c.collection} ${c.index.name}`, c] as const))(
    '%s: equality on the leading fields and a range and sort on the last one use the index',
    async (_title, { projection, collection, index }) => {
      await ensureGeneration(documents, projection, 1);
      const all = index.fields.map(([path]) => path);
      // Fields after _id only let rows be checked from the index: the query pattern ends at _id.
      const fields = all.includes('_id') ? all.slice(0, all.indexOf('_id') + 1) : all;
      const filter: Filter = Object.fromEntries(fields.slice(0, -1).map((path) => [path, 'x']));
      filter[fields.at(-1)!] = { $gte: 'a' };
      const plan = await documents.collection(physicalName(projection.name, collection, 1)).explain(filter, { sort: index.fields, limit: 50 });
      expect(plan).toMatch(new RegExp(`USING (COVERING )?INDEX docs_${physicalName(projection.name, collection, 1)}__${index.name}\\b`));
    },
  );
});
