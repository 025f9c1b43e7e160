import type { FastifyInstance } from 'fastify';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import type { Logger } from '../logger.ts';

const ACCESS_LOG = 'access_log';
const FEATURE_USAGE = 'feature_usage';
const PURGE_EVERY_MS = 3600_000;

export interface AccessLogEntry extends Document {
  at: string;
  ip: string;
  userAgent: string;
  method: string;
  /** The route's pattern (`/api/orgs/:orgId/audit`), never the raw URL, which can carry tokens. */
  path: string;
  status: number;
  userId: string | null;
  durationMs: number;
}

interface FeatureUsage extends Document {
  day: string;
  feature: string;
  count: number;
}

export interface UsageOptions {
  documents: DocumentStore;
  logger: Logger;
  now: () => Date;
  retentionDays: number;
  /** Whether a user has objected to usage analytics (wired to their consent by the privacy work). */
  optedOut?: (userId: string) => Promise<boolean>;
}

/**
 * Records every request in an access log kept for `retentionDays`, and counts feature use per day
 * without saying who (a successful call of a route is one use of that feature), unless the user
 * has opted out. Returns a function that stops the retention purge.
 */
export async function recordUsage(app: FastifyInstance, options: UsageOptions): Promise<() => void> {
  const { documents, now, retentionDays, optedOut = async () => false } = options;
  await documents.ensureCollection(ACCESS_LOG, { indexes: [{ name: 'by_time', fields: [['at', 1]] }] });
  const accessLog = documents.collection<AccessLogEntry>(ACCESS_LOG);
  const usage = documents.collection<FeatureUsage>(FEATURE_USAGE);

  app.addHook('onResponse', async (request, reply) => {
    const path = request.routeOptions.url ?? 'unmatched';
    const at = now();
    const userId = request.auth?.userId ?? null;
    try {
      await accessLog.upsert({
        _id: `${at.getTime()}-${request.id}-${Math.random().toString(36).slice(2, 8)}`,
        at: at.toISOString(),
        ip: request.ip,
        userAgent: String(request.headers['user-agent'] ?? ''),
        method: request.method,
        path,
        status: reply.statusCode,
        userId,
        durationMs: Math.round(reply.elapsedTime),
      });
      if (reply.statusCode < 400 && path.startsWith('/api/') && !(userId && (await optedOut(userId)))) {
        const day = at.toISOString().slice(0, 10);
        const feature = `${request.method} ${path}`;
        const id = `${day} ${feature}`;
        // Approximate by design: two simultaneous uses may count once; no person is identifiable.
        await usage.upsert({ _id: id, day, feature, count: ((await usage.get(id))?.count ?? 0) + 1 });
      }
    } catch (error) {
      request.log.warn({ err: error }, 'could not record usage');
    }
  });

  const purge = async () => {
    const cutoff = new Date(now().getTime() - retentionDays * 24 * 3600_000).toISOString();
    const removed = await accessLog.deleteMany({ at: { $lt: cutoff } }).catch((error: unknown) => (options.logger.warn({ err: error }, 'access log purge failed'), 0));
    if (removed) options.logger.info({ removed, retentionDays }, 'purged old access log entries');
  };
  await purge();
  const timer = setInterval(() => void purge(), PURGE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
