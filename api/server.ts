import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.ts';
import { deriveKey, emailIndexer } from '../infra/keys/derive.ts';
import { openKeys } from '../infra/keys/open-keys.ts';
import type { Logger } from '../infra/logger.ts';
import { openStores, type Stores } from '../infra/stores.ts';
import { createProjections } from '../projections/registry.ts';
import { startProjection, type RunningProjection } from '../projections/runner.ts';
import { buildApp } from './app.ts';
import type { AppContext } from './context.ts';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  stores: Stores;
  context: AppContext;
  projections: readonly RunningProjection[];
  /** Stops accepting, lets requests in flight finish, lets projections commit, closes the stores. */
  close(): Promise<void>;
}

export const webBuildDir = resolve(import.meta.dirname, '../web/build');

/** The composition root: stores, keys, projections, the HTTP app, on the embedded default or the servers. */
export async function startServer(config: Config, logger: Logger, overrides: Partial<Pick<AppContext, 'now' | 'newId'>> = {}): Promise<RunningServer> {
  const stores = await openStores(config, logger);
  let running: RunningProjection[] = [];
  try {
    const { masterKey, vault } = openKeys(config, stores, logger);
    running = createProjections({ vault }).map((projection) => startProjection({ ...stores, logger }, projection));
    const context: AppContext = {
      config,
      events: stores.events,
      documents: stores.documents,
      vault,
      projections: running,
      logger,
      now: () => new Date(),
      newId: randomUUID,
      emailIndex: emailIndexer(masterKey),
      sessionSigningKey: deriveKey(masterKey, 'session-signing'),
      ...overrides,
    };
    const app = await buildApp(context, webBuildDir);
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      app,
      stores,
      context,
      projections: running,
      close() {
        closing ??= (async () => {
          await app.close();
          await Promise.all(running.map((p) => p.stop()));
          await stores.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.all(running.map((p) => p.stop()));
    await stores.close();
    throw error;
  }
}
