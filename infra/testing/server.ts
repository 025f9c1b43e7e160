import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../api/server.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { freePort } from './peers.ts';

/**
 * The real server on the embedded stores in a fresh DATA_DIR, on a free port (or `env.PORT`), with
 * PUBLIC_URL its own address unless given: the one origin allowed to change state, as in production.
 *
 * Test support, the one helper here that imports a layer above infra/ (api/server.ts, the
 * composition root): it starts the assembled app, which is what the integration and browser tests
 * of every layer talk to. No production code imports it (eslint.config.js allows it by name).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-api-'));
  for (let attempt = 1; ; attempt++) {
    const port = env.PORT ?? String(await freePort());
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...env });
    try {
      return await startServer(config, createLogger(config.logLevel));
    } catch (error) {
      // Another process may take the free port before this one listens on it: pick another.
      if (env.PORT || attempt === 5 || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
}
