import type { RunningServer } from './server.ts';

/** Closes the server once on SIGTERM or SIGINT; a second signal exits at once. */
export function closeOnSignals(server: RunningServer, log: (message: string) => void): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log(`${signal} received: finishing requests in flight, then stopping`);
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`Shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
}
