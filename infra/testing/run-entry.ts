import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './peers.ts';

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point as a person would, with only the given environment. */
export function runEntry(entry: string, env: Record<string, string>, args: string[] = [], timeoutMs = 30_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

