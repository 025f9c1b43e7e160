import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { freePort, repoRoot } from '../infra/testing/peers.ts';

it('loses no acknowledged event when SIGTERM arrives during a stream of appends', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-term-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'api/testing/append-until-terminated.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await expect.poll(() => stdout.split('\n').filter((l) => l.startsWith('ack')).length, { timeout: 20_000 }).toBeGreaterThan(500);
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code, stderr).toBe(0);

  const acknowledged = stdout.split('\n').filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
  const store = openSqliteEventStore(join(dataDir, 'events.db'));
  const stored = new Set<string>();
  for await (const event of store.readAll()) stored.add(event.eventId);
  await store.close();
  expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
}, 60_000);
