import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../api/server.ts';
import { apiClient, signUpBody } from '../../api/testing/client.ts';
import { freePort } from '../../infra/testing/peers.ts';
import { loadConfig } from '../../infra/config.ts';
import { loggerOptions } from '../../infra/logger.ts';

/** Every line the server logs, at info and above, as written. */
const lines: string[] = [];
let server: RunningServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cv-mail-log-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: String(await freePort()) });
  server = await startServer(config, pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) }));
});
afterAll(() => server?.close());

describe('the log of mails sent', () => {
  it('names the mail, never its recipient', async () => {
    const body = signUpBody({ email: `Log.Reader-${Math.random().toString(36).slice(2, 8)}@Example.com` });
    expect((await apiClient(server).post('/api/auth/signup', body)).status).toBe(202);
    const mails = async () => (await readdir(join(dataDir, 'mail')).catch(() => [] as string[])).filter((name) => name.endsWith('.verify.eml'));
    await expect.poll(async () => (await mails()).length, { timeout: 10_000 }).toBe(1);

    const logged = lines.join('');
    expect(logged).toContain((await mails())[0]);
    expect(logged.toLowerCase()).not.toContain(body.email.toLowerCase());
    expect(logged.toLowerCase()).not.toContain(body.email.split('@')[0]!.toLowerCase());
  });
});
