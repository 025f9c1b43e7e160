// `npm run projections:rebuild -- <name>`: rebuilds one projection into a new generation of its
// collections while a running Cloudventory keeps serving the current one, then switches over.
import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { openStores } from '../infra/stores.ts';
import { StartupError } from '../infra/startup-error.ts';
import { rebuildProjection } from './rebuild.ts';
import { openKeys } from '../infra/keys/open-keys.ts';
import { createProjections } from './registry.ts';

const name = process.argv[2];

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const stores = await openStores(config, logger);
  const projections = createProjections(openKeys(config, stores, logger));
  const projection = projections.find((p) => p.name === name);
  if (!projection) {
    await stores.close();
    console.error(`Usage: npm run projections:rebuild -- <name>   (projections: ${projections.map((p) => p.name).join(', ')})`);
    process.exit(2);
  }
  const started = performance.now();
  const result = await rebuildProjection({ ...stores, logger }, projection);
  await stores.close();
  console.log(`Rebuilt ${projection.name}: ${result.events} events into generation ${result.generation} in ${((performance.now() - started) / 1000).toFixed(1)} s; it is now the one queries read.`);
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(`Cannot rebuild: ${error.message}`);
  process.exit(1);
}
