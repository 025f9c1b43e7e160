import { chmodSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
// DATA_DIR's modes are only seen in the assembled app (every store and the mail folder it opens): the
// test starts it through the composition root, api/server.ts (allowed by name in eslint.config.js).
import { startServer, type RunningServer } from '../api/server.ts';
import { apiClient, signUpBody } from '../api/testing/client.ts';
import { loadConfig } from './config.ts';
import { freePort } from './testing/peers.ts';

let server: RunningServer | undefined;
let umask: number | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
});

const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

/** The real server on the embedded default in `dataDir`, with its log lines collected. */
async function start(dataDir: string): Promise<{ server: RunningServer; logged: string[] }> {
  const logged: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' });
  return { server: await startServer(config, pino({ level: 'warn' }, sink)), logged };
}

/** Signs someone up, which writes a verification mail into DATA_DIR/mail (no SMTP_URL). */
async function writeAMail(running: RunningServer, dataDir: string): Promise<string> {
  const mailDir = join(dataDir, 'mail');
  const mails = () => (existsSync(mailDir) ? readdirSync(mailDir).filter((name) => name.endsWith('.eml')) : []);
  const before = new Set(mails());
  expect((await apiClient(running).post('/api/auth/signup', signUpBody())).status).toBeLessThan(300);
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const mail = mails().find((name) => !before.has(name));
    if (mail) return join(mailDir, mail);
  }
  throw new Error('no mail was written');
}

/** Every file Cloudventory keeps in DATA_DIR, with its mode. */
function modesIn(dataDir: string, mail: string): Record<string, string> {
  const files = ['events.db', 'events.db-wal', 'events.db-shm', 'read-models.db', 'read-models.db-wal', 'read-models.db-shm', 'master.key'];
  return {
    '.': modeOf(dataDir),
    ...Object.fromEntries(files.map((file) => [file, existsSync(join(dataDir, file)) ? modeOf(join(dataDir, file)) : 'missing'])),
    mail: modeOf(join(dataDir, 'mail')),
    'mail/*.eml': modeOf(mail),
  };
}

const ownerOnly = {
  '.': '0700',
  'events.db': '0600',
  'events.db-wal': '0600',
  'events.db-shm': '0600',
  'read-models.db': '0600',
  'read-models.db-wal': '0600',
  'read-models.db-shm': '0600',
  'master.key': '0600',
  mail: '0700',
  'mail/*.eml': '0600',
};

describe('DATA_DIR is readable by its owner only', () => {
  it('creates the folder 0700 and every file in it 0600, whatever the umask', async () => {
    umask = process.umask(0);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cv-perm-')), 'data');
    ({ server } = await start(dataDir));
    const mail = await writeAMail(server, dataDir);
    expect(modesIn(dataDir, mail)).toEqual(ownerOnly);
  }, 60_000);

  it('narrows a folder and files others could read, and says so', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cv-perm-')), 'data');
    ({ server } = await start(dataDir));
    await writeAMail(server, dataDir);
    await server.close();
    // As an older version, or a careless copy, left them.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'mail'), 0o755);
    for (const file of ['events.db', 'read-models.db', 'master.key']) chmodSync(join(dataDir, file), 0o644);
    writeFileSync(join(dataDir, 'events.db-wal'), '', { mode: 0o644 });

    let logged: string[];
    ({ server, logged } = await start(dataDir));
    const mail = await writeAMail(server, dataDir);
    expect(modesIn(dataDir, mail)).toEqual(ownerOnly);
    const messages = logged.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'DATA_DIR was open to other users (0755): narrowed to 0700',
        'the master key file was readable by other users (0644): narrowed to owner-only',
        'the mail folder was open to other users (0755): narrowed to owner-only',
      ]),
    );
  }, 60_000);
});
