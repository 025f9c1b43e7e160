import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.ts';
import { repoRoot } from '../testing/peers.ts';
import { describeEventStoreConformance, testEvent } from './conformance.ts';
import { openSqliteEventStore } from './sqlite.ts';

const newFile = () => join(mkdtempSync(join(tmpdir(), 'cv-es-')), 'events.db');

describeEventStoreConformance('sqlite', async () => openSqliteEventStore(newFile()));

describe('sqlite event store', () => {
  it('shows another process its appends within a second', async () => {
    const file = newFile();
    const store = openSqliteEventStore(file);
    const controller = new AbortController();
    const received: number[] = [];
    const subscription = (async () => {
      for await (const event of store.subscribeAll({ signal: controller.signal })) {
        received.push(Date.now() - (event.data as { sentAt: number }).sentAt);
        if (received.length === 3) controller.abort();
      }
    })();
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { openSqliteEventStore } from './infra/event-store/sqlite.ts';
         import { testEvent } from './infra/event-store/conformance.ts';
         const store = openSqliteEventStore(${JSON.stringify(file)});
         for (let i = 0; i < 3; i++) {
           await store.append('remote', [testEvent('Remote', { sentAt: Date.now() })], { expected: 'any' });
           await new Promise((r) => setTimeout(r, 300));
         }
         await store.close();`,
      ],
      { cwd: repoRoot, stdio: 'inherit' },
    );
    await new Promise((resolve) => writer.once('exit', resolve));
    await subscription;
    await store.close();
    expect(received).toHaveLength(3);
    for (const delay of received) expect(delay).toBeLessThan(1000);
  });

  it('removes a tombstoned stream from the global log for good', async () => {
    const store = openSqliteEventStore(newFile());
    await store.append('user-1', [testEvent('UserRegistered', { email: 'ada@example.com' })], { expected: 'no_stream' });
    await store.append('org-1', [testEvent('OrganizationCreated')], { expected: 'no_stream' });
    await store.tombstone('user-1');
    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual(['org-1']);
    await store.close();
  });
});
