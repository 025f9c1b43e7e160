import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  /** How often the read model is asked again. */
  pollMs: number;
  /** A comment line at least this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  signal: AbortSignal;
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * A server-sent event stream of a changing document: the document at once, again whenever it
 * changes, and an `end` event once `finished` says so. Polls the read model rather than the log, so
 * what it sends is exactly what GET answers. Stops quietly when the signal aborts (client gone, or
 * the server shutting down).
 */
export async function* follow<T>(load: () => Promise<T | undefined>, finished: (document: T) => boolean, options: FollowOptions): AsyncGenerator<string> {
  // Reconnecting clients wait a little rather than hammering us.
  yield 'retry: 2000\n\n';
  let last: string | undefined;
  let quietSince = Date.now();
  while (!options.signal.aborted) {
    const document = await load();
    if (document === undefined) return;
    const json = JSON.stringify(document);
    if (json !== last) {
      last = json;
      quietSince = Date.now();
      yield frame('scan', document);
    } else if (Date.now() - quietSince >= options.heartbeatMs) {
      quietSince = Date.now();
      yield ': heartbeat\n\n';
    }
    if (finished(document)) {
      yield frame('end', {});
      return;
    }
    try {
      await sleep(options.pollMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
