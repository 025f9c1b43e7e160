import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, repoRoot } from '../infra/testing/peers.ts';
import { runEntry } from '../infra/testing/run-entry.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'cv-start-'));

describe('start-up refuses bad settings with one clear line and exit code 1', () => {
  it.each([
    [{ PORT: 'eighty' }, 'Cloudventory cannot start: Invalid configuration: PORT must be a number (got "eighty")'],
    [{ LOG_LEVEL: 'chatty' }, 'Cloudventory cannot start: Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "chatty")'],
  ])('%o', async (env, line) => {
    const result = await runEntry('api/main.ts', { DATA_DIR: dataDir(), ...env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(line);
  });

  it('a DATA_DIR that is a file', async () => {
    const file = join(dataDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    const result = await runEntry('api/main.ts', { DATA_DIR: file, PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`Cloudventory cannot start: DATA_DIR ${file} cannot be used: it is a file, not a folder`);
  });

  it('a corrupt database file', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'events.db'), 'this is not a database, just text that is long enough to look like a header '.repeat(100));
    const result = await runEntry('api/main.ts', { DATA_DIR: dir, PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Cloudventory cannot start: Cannot open the event store at ${join(dir, 'events.db')}: the file is not a valid SQLite database (corrupt, or not ours)`,
    );
  });

  it('a database file locked by another process', async () => {
    const dir = dataDir();
    const holder = spawn(
      process.execPath,
      ['-e', `const D=require('better-sqlite3');const db=new D(${JSON.stringify(join(dir, 'events.db'))});db.pragma('locking_mode=EXCLUSIVE');db.exec('CREATE TABLE hold(x)');db.exec('BEGIN EXCLUSIVE');console.log('locked');setTimeout(()=>{},60000)`],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    try {
      const result = await runEntry('api/main.ts', { DATA_DIR: dir, PORT: String(await freePort()) });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`Cloudventory cannot start: Cannot open the event store at ${join(dir, 'events.db')}: the file is locked by another process`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a port already in use', async () => {
    const port = await freePort();
    const first = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port},'127.0.0.1',()=>console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => first.stdout.once('data', resolve));
    try {
      const result = await runEntry('api/main.ts', { DATA_DIR: dataDir(), PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^Cloudventory cannot start: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+$/);
    } finally {
      first.kill('SIGKILL');
    }
  });
});

describe('projections:rebuild', () => {
  it('rebuilds a named projection and names the choices when given an unknown one', async () => {
    const dir = dataDir();
    const unknown = await runEntry('projections/rebuild-cli.ts', { DATA_DIR: dir }, ['nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('projections: audit, identity, organizations, mfa, connections, scans');
    const rebuilt = await runEntry('projections/rebuild-cli.ts', { DATA_DIR: dir }, ['audit']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/^Rebuilt audit: 0 events into generation 1 in [\d.]+ s/);
  });
});
