import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSchemathesis, startMoto } from '../infra/testing/peers.ts';
import { startTestServer } from '../infra/testing/server.ts';
import { resourceKey } from '../projections/inventory/model.ts';
import { SESSION_COOKIE } from './plugins/auth.ts';
import type { RunningServer } from './server.ts';
import { apiClient, strongPassword } from './testing/client.ts';
import { connect, newAccountId } from './testing/connections.ts';
import { recordInventory, resource } from './testing/inventory.ts';
import { invite, joinAs, verifiedOwner, type Owner } from './testing/organizations.ts';
import { partitionFinished, plannedPartitions, recordScan, requested, scanFinished } from './testing/scans.ts';

/**
 * THE FUZZ: schemathesis reads /api/openapi.json and throws generated requests, valid and invalid, at
 * every operation as an owner of a real organisation. Any server error, any status the document does
 * not declare, any body or content type outside the declared one fails the test with schemathesis'
 * own report (each failure with a curl command that reproduces it).
 */

const MINUTE = 60_000;
/** Test cases per operation and phase: about a minute and a half on two cores. */
const MAX_EXAMPLES = 20;

const cli = findSchemathesis();
/** Creating a connection is checked against AWS: moto stands in for it, so no request leaves the machine. */
const moto = cli.command ? await startMoto() : undefined;
afterAll(() => moto?.peer?.stop());
const skipped = cli.reason ?? moto?.reason;
if (skipped) console.log(`API fuzzing skipped: ${skipped}`);

let server: RunningServer;
let owner: Owner;
/** The organisation fuzzed, and the owner's other session: every request names these. */
const fixed: Record<string, string> = {};
/** Real objects of the organisation, by the path parameter that names them: most requests name these. */
const real: Record<string, string> = {};
let workDir: string;

beforeAll(async () => {
  if (skipped) return;
  workDir = mkdtempSync(join(tmpdir(), 'cv-fuzz-'));
  server = await startTestServer({ AWS_ENDPOINT_URL: moto!.peer!.url });
  owner = await verifiedOwner(server);
  const { orgId } = owner;
  const connectionId = (await connect(owner.client, orgId, { name: 'Fuzzed', method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Fuzzed` })).id;
  const scanId = randomUUID();
  // A finished scan: its event stream ends at once instead of holding a request open.
  await recordScan(server, orgId, scanId, [requested(scanId, orgId, connectionId, owner.userId), ...plannedPartitions.map((p) => partitionFinished(p.key, 'ok')), scanFinished('completed')]);
  const fuzzed = resource('i-fuzzed');
  await recordInventory(server, orgId, [{ seen: 'discovered', resource: fuzzed, at: '2026-01-01T00:00:00.000Z' }], connectionId);
  Object.assign(fixed, {
    orgId,
    // Signing out this session is tested without ending the fuzzer's own.
    sessionId: await anotherSessionOf(owner),
  });
  Object.assign(real, {
    userId: (await joinAs(server, owner, 'member')).userId,
    invitationId: (await invite(server, owner.client, orgId, 'viewer')).invitationId,
    connectionId,
    scanId,
    key: resourceKey(fuzzed.arn),
  });
});
afterAll(async () => {
  await server?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Signs the owner in a second time, from another client, and returns that session's id. */
async function anotherSessionOf(person: Owner): Promise<string> {
  const signedIn = await apiClient(server).post('/api/auth/login', { email: person.email, password: strongPassword });
  expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
  const { body } = await person.client.get('/api/me/sessions');
  const other = (body.sessions as Array<{ id: string; current: boolean }>).find((s) => !s.current);
  return other!.id;
}

/**
 * schemathesis.toml for the run: the owner's session as the document's `session` security scheme
 * (so schemathesis also tries every private operation without it), the Origin a browser on the
 * app's own page would send (state-changing requests from elsewhere are refused), and the ids. Real
 * objects are drawn, not fixed, so that an object a request deleted does not stand in for one a
 * stateful scenario has just created.
 */
function configFile(): string {
  const toml = (value: string) => JSON.stringify(value);
  const lines = [
    `headers = { Origin = ${toml(server.url)} }`,
    '[auth.openapi.session]',
    `api_key = ${toml(owner.client.cookies.get(SESSION_COOKIE)!)}`,
    ...Object.entries({ ...real, orgId: fixed.orgId! }).flatMap(([name, value]) => [`[dictionaries.${name}]`, `values = [${toml(value)}]`]),
    '[parameters]',
    ...Object.entries(fixed).map(([name, value]) => `${toml(`path.${name}`)} = ${toml(value)}`),
    ...Object.keys(real).map((name) => `${toml(`path.${name}`)} = { dictionary = ${toml(name)}, probability = 0.8 }`),
    // The one body naming an organisation of the caller's: choosing the current one.
    `"body.organizationId" = { dictionary = "orgId", probability = 0.8 }`,
  ];
  const path = join(workDir, 'schemathesis.toml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Runs schemathesis against the served document; resolves with its exit code and report. */
function fuzz(args: string[]): Promise<{ code: number | null; report: string }> {
  const child = spawn(cli.command!, ['--config-file', configFile(), 'run', `${server.url}/api/openapi.json`, '--no-color', ...args], {
    // schemathesis keeps its example database and replay data in the working directory.
    cwd: workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let report = '';
  child.stdout.on('data', (chunk: Buffer) => (report += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 6 * MINUTE);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, report: code === null ? `schemathesis was stopped after 6 minutes\n${report}` : report });
    });
  });
}

/** What the fuzzer checks: everything it can, except the checks below. */
const checks = [
  '--checks',
  'all',
  '--exclude-checks',
  [
    // The API rightly answers 400 to schema-valid requests that break rules a JSON Schema cannot state:
    // links, tokens and cursors it never gave out, a wrong password or code, a common password, an
    // AWS region the account has not enabled, an instant in the future; and some fields are checked
    // more strictly than their schema says (an e-mail address, a time zone, a tag).
    'positive_data_acceptance',
    // Probing undeclared methods, schemathesis sends QUERY without a body or Content-Type, which Fastify
    // refuses with 400 before routing, as RFC 10008 requires; a well-formed QUERY gets 405 with Allow.
    'unsupported_method',
  ].join(','),
];
/** Operations that end the caller's own session: fuzzed last, so that everything else runs signed in. */
const signingOut = ['/api/auth/logout', '/api/me/sessions/revoke-all'];
const paths = (flag: '--include-path' | '--exclude-path') => signingOut.flatMap((path) => [flag, path]);

describe.skipIf(skipped)('the API under schemathesis', () => {
  it('answers every generated request without a server error and within its declared responses', { timeout: 14 * MINUTE }, async () => {
    const bounds = ['--max-examples', String(MAX_EXAMPLES), '--workers', '2', '--request-timeout', '30'];
    const main = await fuzz([...checks, ...bounds, ...paths('--exclude-path')]);
    expect(main.code, main.report).toBe(0);
    // Proof that the run above was signed in throughout, not answered 401 from some point on.
    expect((await owner.client.get('/api/me')).status).toBe(200);
    const last = await fuzz([...checks, ...bounds, ...paths('--include-path')]);
    expect(last.code, last.report).toBe(0);
  });
});
