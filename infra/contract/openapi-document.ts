import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../api/app.ts';
import type { AppContext } from '../../api/context.ts';
import { createAwsClients } from '../../scanner/aws/clients.ts';
import { loadConfig } from '../config.ts';
import { deriveKey, emailIndexer } from '../keys/derive.ts';
import { externalIds } from '../keys/external-id.ts';
import { openKeys } from '../keys/open-keys.ts';
import { createLogger } from '../logger.ts';
import { openStores } from '../stores.ts';
import type { OpenApiDocument } from './openapi.ts';

/**
 * The API's OpenAPI document as `/api/openapi.json` serves it, without a server: the Fastify app is
 * built (never listening, no projections or workers) on embedded stores in a throwaway DATA_DIR,
 * since routes are registered against a real context.
 */
export async function apiDocument(): Promise<OpenApiDocument> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cv-contract-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const logger = createLogger(config.logLevel);
    const stores = await openStores(config, logger);
    try {
      const { masterKey, vault } = openKeys(config, stores, logger);
      const context: AppContext = {
        config,
        events: stores.events,
        documents: stores.documents,
        vault,
        projections: [],
        logger,
        now: () => new Date(),
        newId: randomUUID,
        randomInt,
        emailIndex: emailIndexer(masterKey),
        sessionSigningKey: deriveKey(masterKey, 'session-signing'),
        requestDigestKey: deriveKey(masterKey, 'request-digest'),
        aws: createAwsClients({ endpoint: config.awsEndpointUrl }),
        externalId: externalIds(masterKey),
      };
      // No web build in the throwaway folder: the document does not depend on it.
      const app = await buildApp(context, join(dataDir, 'no-web-build'), []);
      try {
        await app.ready();
        return app.swagger() as OpenApiDocument;
      } finally {
        await app.close();
      }
    } finally {
      await stores.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
