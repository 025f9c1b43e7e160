import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDocumentStoreConformance } from './conformance.ts';
import { openSqliteDocumentStore } from './sqlite.ts';

const newFile = () => join(mkdtempSync(join(tmpdir(), 'cv-ds-')), 'read-models.db');

describeDocumentStoreConformance('sqlite', async () => openSqliteDocumentStore(newFile()));

describe('sqlite document store', () => {
  it('rolls back every write of a failed unit of work', async () => {
    const store = openSqliteDocumentStore(newFile());
    await store.collection('things').upsert({ _id: 'kept' });
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.collection('things').upsert({ _id: 'lost' });
        await tx.collection('things').deleteMany({ _id: 'kept' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.collection('things').find()).map((d) => d._id)).toEqual(['kept']);
    await store.close();
  });

  it('hides an open unit of work from readers until it commits', async () => {
    const store = openSqliteDocumentStore(newFile());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const work = store.unitOfWork(async (tx) => {
      await tx.collection('things').upsert({ _id: 'pending' });
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.collection('things').count()).toBe(0);
    release();
    await work;
    expect(await store.collection('things').count()).toBe(1);
    await store.close();
  });

  it('serves queries on declared index fields from the index', async () => {
    const store = openSqliteDocumentStore(newFile());
    await store.ensureCollection('versions', {
      indexes: [
        { name: 'by_type_from', fields: [['type', 1], ['validFrom', 1]] },
        { name: 'by_tag', fields: [['tags.Env', 1]] },
      ],
    });
    const versions = store.collection('versions');
    const plan = await versions.explain({ type: 'ec2', validFrom: { $lte: '2026-01-01' } }, { sort: [['validFrom', 1]], limit: 100 });
    expect(plan).toContain('USING INDEX docs_versions__by_type_from');
    expect(await versions.explain({ 'tags.Env': 'prod' })).toContain('USING INDEX docs_versions__by_tag');
    expect(await versions.explain({ 'tags.Team': 'web' })).toMatch(/SCAN/);
    await store.close();
  });

  it('follows an index hint where its own choice differs, and refuses a hint naming no index as our bug', async () => {
    const store = openSqliteDocumentStore(newFile());
    await store.ensureCollection('versions', {
      indexes: [
        { name: 'by_type_from', fields: [['type', 1], ['validFrom', 1]] },
        { name: 'by_to', fields: [['validTo', 1]] },
      ],
    });
    const versions = store.collection('versions');
    await versions.upsert({ _id: 'v', type: 'ec2', validFrom: '2025', validTo: '2027' });
    const filter = { type: 'ec2', validFrom: { $lte: '2026' }, validTo: { $gt: '2026' } };
    expect(await versions.explain(filter)).toContain('USING INDEX docs_versions__by_type_from');
    expect(await versions.explain(filter, { hint: { index: 'by_to' } })).toContain('USING INDEX docs_versions__by_to');
    expect(await versions.count(filter, { hint: { index: 'by_to' } })).toBe(1);
    await expect(versions.find(filter, { hint: { index: 'by_nothing' } })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(versions.count(filter, { hint: { index: 'by_nothing' } })).rejects.toMatchObject({ code: 'INTERNAL' });
    await store.close();
  });
});
