import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { StartupError } from '../infra/startup-error.ts';
import { closeOnSignals } from './shutdown.ts';
import { startServer } from './server.ts';

const startedAt = performance.now();
try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  closeOnSignals(server, (message) => logger.info(message));
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
  logger.info({ url: config.publicUrl, readyInSeconds: Number(seconds) }, 'Cloudventory is ready');
  console.log(`\nCloudventory is running at ${config.publicUrl} (ready in ${seconds} s; ${server.stores.events.kind} event store, ${server.stores.documents.kind} read models)\n`);
} catch (error) {
  if (error instanceof StartupError || (error as { code?: string }).code === 'EADDRINUSE') {
    console.error(`Cloudventory cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  throw error;
}
