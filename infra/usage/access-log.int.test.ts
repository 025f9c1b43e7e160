import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The access log records requests: the test sends them to the running app and reads what it logged
// (api/ test helpers; allowed by name in eslint.config.js).
import type { RunningServer } from '../../api/server.ts';
import { apiClient, signUpBody } from '../../api/testing/client.ts';
import { verificationLinkFor } from '../../api/testing/sign-up.ts';
import { startTestServer } from '../testing/server.ts';
import type { AccessLogEntry } from './access-log.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('usage data', () => {
  it('logs each request by route pattern, never the raw URL with its tokens', async () => {
    const client = apiClient(server);
    const body = signUpBody();
    await client.post('/api/auth/signup', body, { 'user-agent': 'UsageTest/2.0' });
    const { userId } = await verificationLinkFor(server, body.email);
    await client.post('/api/auth/verify-email', { userId, token: 'secret-token-that-must-not-be-logged-0123456789' });
    await client.post('/api/auth/login', { email: body.email, password: body.password });
    await client.get('/api/me');
    const log = server.stores.documents.collection<AccessLogEntry>('access_log');
    const entries = await log.find({ userAgent: 'UsageTest/2.0' }, { sort: [['at', 1]] });
    expect(entries.map((e) => [e.method, e.path, e.status])).toEqual([['POST', '/api/auth/signup', 202]]);
    const all = await log.find({}, { sort: [['at', 1]] });
    expect(all.map((e) => e.path)).toEqual(expect.arrayContaining(['/api/auth/verify-email', '/api/me']));
    expect(JSON.stringify(all)).not.toContain('secret-token-that-must-not-be-logged');
    expect(all.find((e) => e.path === '/api/me')).toMatchObject({ userId, ip: '127.0.0.1', status: 200 });

    const usage = await server.stores.documents.collection('feature_usage').find({});
    expect(usage.find((u) => u.feature === 'POST /api/auth/signup')).toMatchObject({ count: 1 });
    expect(JSON.stringify(usage)).not.toContain(userId);
  });
});

describe('access log retention', () => {
  it('purges entries older than the retention period at start-up', async () => {
    const old = await startTestServer({ ACCESS_LOG_RETENTION_DAYS: '7' });
    const log = old.stores.documents.collection<AccessLogEntry>('access_log');
    const entry = { ip: '198.51.100.7', userAgent: 'x', method: 'GET', path: '/healthz', status: 200, userId: null, durationMs: 1 };
    await log.upsert({ _id: 'old', at: new Date(Date.now() - 8 * 24 * 3600_000).toISOString(), ...entry });
    await log.upsert({ _id: 'recent', at: new Date(Date.now() - 6 * 24 * 3600_000).toISOString(), ...entry });
    const dataDir = old.context.config.dataDir;
    await old.close();
    const restarted = await startTestServer({ DATA_DIR: dataDir, ACCESS_LOG_RETENTION_DAYS: '7' });
    const ids = (await restarted.stores.documents.collection<AccessLogEntry>('access_log').find({ ip: '198.51.100.7' })).map((e) => e._id);
    expect(ids).toEqual(['recent']);
    await restarted.close();
  });
});
