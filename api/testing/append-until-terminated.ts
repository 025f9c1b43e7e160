// For the shutdown test: the real server, plus a stream of appends that prints each one only after
// the store has acknowledged it. SIGTERM goes through the same shutdown path as production.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../infra/config.ts';
import { createLogger } from '../../infra/logger.ts';
import { startServer } from '../server.ts';
import { closeOnSignals } from '../shutdown.ts';

const server = await startServer(loadConfig(), createLogger('warn'));
let stopping = false;
process.once('SIGTERM', () => (stopping = true));
closeOnSignals(server, () => {});
console.log('appending');
for (let n = 0; !stopping; n++) {
  const eventId = randomUUID();
  const metadata = { occurredAt: new Date().toISOString(), actor: 'load', correlationId: eventId, causationId: eventId };
  await server.stores.events.append(`load-${n % 10}`, [{ eventId, type: 'LoadTested', data: { n }, metadata }], { expected: 'any' });
  console.log(`ack ${eventId}`);
  // Requests arrive as separate macrotasks; yielding here lets signals and projections run too.
  await new Promise((resolve) => setImmediate(resolve));
}
