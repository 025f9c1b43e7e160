import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readMaildir, type ParsedMail } from './maildir.ts';

/**
 * Starts the real peers the integration tests talk to, each on a free loopback port, and stops
 * them afterwards. Outside CI a missing peer skips its suite with a reason; under CI=true a missing
 * peer fails the run, because .ci/run is meant to have installed it.
 */

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface RunningPeer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export type PeerOrReason<Peer extends RunningPeer = RunningPeer> = { peer: Peer; reason?: undefined } | { peer?: undefined; reason: string };

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`peer exited with code ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

function missing(reason: string): { reason: string } {
  if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true every peer must be installed by .ci/run`);
  return { reason };
}

async function spawnPeer(command: string, args: string[], port: number, url: string, cleanup: () => void): Promise<RunningPeer> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  try {
    await waitForPort(port, 30_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw new Error(`${command} did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      cleanup();
    },
  };
}

/** FerretDB v1 (MongoDB wire protocol) on its SQLite backend, built by infra/peers/ferretdb/build.sh. */
export async function startFerretDb(): Promise<PeerOrReason> {
  const binary = join(repoRoot, '.peers/bin/ferretdb');
  if (!existsSync(binary)) return missing(`FerretDB not built (run infra/peers/ferretdb/build.sh to get ${binary})`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cv-ferretdb-'));
  const peer = await spawnPeer(binary, ['-listen', `127.0.0.1:${port}`, '-data', dir], port, `mongodb://127.0.0.1:${port}/cloudventory_test?directConnection=true`, () =>
    rmSync(dir, { recursive: true, force: true }),
  );
  return { peer };
}

export interface SmtpSink extends RunningPeer {
  /** Every mail the sink has accepted so far, in delivery order. */
  messages(): Promise<ParsedMail[]>;
}

/** aiosmtpd accepting every mail into a Maildir (one file per mail in `new/`, written before it answers 250). */
export async function startSmtpSink(): Promise<PeerOrReason<SmtpSink>> {
  if (spawnSync('python3', ['-c', 'import aiosmtpd']).status !== 0) return missing('aiosmtpd not installed (python3 -m pip install aiosmtpd, or run infra/peers/install.sh)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cv-smtp-sink-'));
  // A folder that does not exist yet: Python's Maildir only creates its tmp/new/cur when it creates the folder.
  const maildir = join(dir, 'maildir');
  const args = ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir];
  const peer = await spawnPeer('python3', args, port, `smtp://127.0.0.1:${port}`, () => rmSync(dir, { recursive: true, force: true }));
  return { peer: { ...peer, messages: () => readMaildir(maildir) } };
}

/** moto server: one local endpoint speaking STS, EC2, S3, RDS, Lambda and IAM. */
export async function startMoto(): Promise<PeerOrReason> {
  if (spawnSync('moto_server', ['--help']).status !== 0) return missing("moto server not installed (python3 -m pip install 'moto[server]', or run infra/peers/install.sh)");
  const port = await freePort();
  const peer = await spawnPeer('moto_server', ['-H', '127.0.0.1', '-p', String(port)], port, `http://127.0.0.1:${port}`, () => undefined);
  return { peer };
}

/** Forgets everything moto holds, so each test starts from an empty cloud. */
export async function resetMoto(url: string): Promise<void> {
  const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed with ${response.status}`);
}

/** The schemathesis command line (4.x), the API fuzzer: a program each test runs, not a server to start. */
export function findSchemathesis(): { command: string; reason?: undefined } | { command?: undefined; reason: string } {
  const version = spawnSync('schemathesis', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return missing("schemathesis not installed (python3 -m pip install 'schemathesis==4.32.5', or run infra/peers/install.sh)");
  if (!/version 4\./.test(version.stdout)) return missing(`schemathesis 4.x needed, found ${version.stdout.trim()} (run infra/peers/install.sh)`);
  return { command: 'schemathesis' };
}
