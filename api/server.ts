import { randomInt, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.ts';
import { deriveKey, emailIndexer } from '../infra/keys/derive.ts';
import { externalIds } from '../infra/keys/external-id.ts';
import { openKeys } from '../infra/keys/open-keys.ts';
import type { Logger } from '../infra/logger.ts';
import { openStores, type Stores } from '../infra/stores.ts';
import { openMailer } from '../infra/mail/open-mailer.ts';
import { mailOutbox } from '../projections/mail/outbox.ts';
import { recipientOf } from '../projections/mail/recipient.ts';
import { startMailSender } from '../projections/mail/sender.ts';
import { createProjections } from '../projections/registry.ts';
import { startProjection, type RunningProjection } from '../projections/runner.ts';
import { createAwsClients } from '../scanner/aws/clients.ts';
import { partitionSnapshots } from '../projections/inventory/partition-snapshots.ts';
import { startScanWorker } from '../scanner/scan-worker.ts';
import { startScheduler } from '../scanner/scan-scheduler.ts';
import { buildApp } from './app.ts';
import type { AppContext } from './context.ts';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  stores: Stores;
  context: AppContext;
  /** The read-model projections and the mail outbox. */
  projections: readonly RunningProjection[];
  /** Stops accepting, lets requests in flight finish, lets projections commit, closes the stores. */
  close(): Promise<void>;
}

export const webBuildDir = resolve(import.meta.dirname, '../web/build');

/** The composition root: stores, keys, projections, workers, the HTTP app, on the embedded default or the servers. */
export async function startServer(config: Config, logger: Logger, overrides: Partial<Pick<AppContext, 'now' | 'newId'>> = {}): Promise<RunningServer> {
  const stores = await openStores(config, logger);
  let running: RunningProjection[] = [];
  const stopWorkers: Array<() => Promise<void>> = [];
  try {
    const { masterKey, vault } = openKeys(config, stores, logger);
    const now = overrides.now ?? (() => new Date());
    running = createProjections({ vault }).map((projection) => startProjection({ ...stores, logger }, projection));

    // Mail is a reaction, not a read model: it is never rebuilt, and writes do not wait for it.
    const mailer = openMailer(config, logger);
    const outbox = startProjection({ ...stores, logger }, mailOutbox({ vault, recipient: (userId) => recipientOf(stores.events, vault, userId), publicUrl: config.publicUrl, now }));
    const sender = startMailSender({ documents: stores.documents, mailer, logger, now });
    stopWorkers.push(() => sender.stop(), () => outbox.stop());

    const context: AppContext = {
      config,
      events: stores.events,
      documents: stores.documents,
      vault,
      projections: running,
      logger,
      now,
      newId: randomUUID,
      randomInt,
      emailIndex: emailIndexer(masterKey),
      sessionSigningKey: deriveKey(masterKey, 'session-signing'),
      requestDigestKey: deriveKey(masterKey, 'request-digest'),
      // A person waits on these calls (connecting an account): fewer retries than a scan would make.
      aws: createAwsClients({ endpoint: config.awsEndpointUrl, maxAttempts: 3 }),
      externalId: externalIds(masterKey),
      ...overrides,
    };
    // Scans are reactions to ScanRequested: started once the projections run, stopped (resumable) on close.
    const scanWorker = startScanWorker({ ...stores, vault, aws: context.aws, externalId: context.externalId, logger, now, snapshots: partitionSnapshots(stores.documents) });
    stopWorkers.push(() => scanWorker.stop());
    // Scheduled scans are requests like any other: the scheduler starts after the worker that runs them.
    const scheduler = startScheduler({ ...stores, logger, now });
    stopWorkers.push(() => scheduler.stop());
    const app = await buildApp(context, webBuildDir, [...running, outbox]);
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      app,
      stores,
      context,
      projections: [...running, outbox],
      close() {
        closing ??= (async () => {
          await app.close();
          for (const stop of stopWorkers) await stop();
          await Promise.all(running.map((p) => p.stop()));
          await stores.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const stop of stopWorkers) await stop();
    await Promise.all(running.map((p) => p.stop()));
    await stores.close();
    throw error;
  }
}
