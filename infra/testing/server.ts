import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../api/server.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';

/**
 * The real server on the embedded stores in a fresh DATA_DIR, on a free port; on `env.PORT` when
 * given (so that PUBLIC_URL, and the links in mails, can name the server's own address).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const loaded = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cv-api-')), LOG_LEVEL: 'silent', ...env });
  const config = { ...loaded, port: env.PORT ? loaded.port : 0 };
  return startServer(config, createLogger(config.logLevel));
}
