import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.ts';
import type { Logger } from '../infra/logger.ts';
import { openStores, type Stores } from '../infra/stores.ts';
import { projections } from '../projections/registry.ts';
import { startProjection, type RunningProjection } from '../projections/runner.ts';
import { buildApp } from './app.ts';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  stores: Stores;
  projections: readonly RunningProjection[];
  /** Stops accepting, lets requests in flight finish, lets projections commit, closes the stores. */
  close(): Promise<void>;
}

export const webBuildDir = resolve(import.meta.dirname, '../web/build');

/** The composition root: stores, projections, the HTTP app, all on the embedded default or the servers. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const stores = await openStores(config, logger);
  const running = projections.map((projection) => startProjection({ ...stores, logger }, projection));
  const app = await buildApp({ ...stores, projections: running, logger, webBuildDir });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await Promise.all(running.map((p) => p.stop()));
    await stores.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    app,
    stores,
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
}
