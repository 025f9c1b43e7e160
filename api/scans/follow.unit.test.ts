import { describe, expect, it } from 'vitest';
import { follow } from './follow.ts';

const scan = (status: string, finished: number) => ({ status, finished });
const done = (s: { status: string }) => s.status !== 'running';

async function collect(stream: AsyncGenerator<string>, max = 50): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) if (out.push(chunk) >= max) break;
  return out;
}

describe('following a document as server-sent events', () => {
  it('sends the document at once, each change once, then an end event', async () => {
    const states = [scan('running', 0), scan('running', 0), scan('running', 1), scan('completed', 2)];
    let i = 0;
    const chunks = await collect(follow(async () => states[Math.min(i++, states.length - 1)], done, { pollMs: 1, heartbeatMs: 60_000, signal: new AbortController().signal }));
    expect(chunks).toEqual([
      'retry: 2000\n\n',
      'event: scan\ndata: {"status":"running","finished":0}\n\n',
      'event: scan\ndata: {"status":"running","finished":1}\n\n',
      'event: scan\ndata: {"status":"completed","finished":2}\n\n',
      'event: end\ndata: {}\n\n',
    ]);
  });

  it('sends heartbeat comments while nothing changes', async () => {
    const chunks = await collect(follow(async () => scan('running', 0), done, { pollMs: 5, heartbeatMs: 10, signal: new AbortController().signal }), 4);
    expect(chunks.slice(2)).toEqual([': heartbeat\n\n', ': heartbeat\n\n']);
  });

  it('stops, without a further read, as soon as the client has gone', async () => {
    const gone = new AbortController();
    let reads = 0;
    const stream = follow(async () => (reads++, scan('running', 0)), done, { pollMs: 60_000, heartbeatMs: 60_000, signal: gone.signal });
    expect((await stream.next()).value).toBe('retry: 2000\n\n');
    expect((await stream.next()).value).toContain('event: scan');
    const rest = stream.next();
    gone.abort();
    expect(await rest).toEqual({ done: true, value: undefined });
    expect(reads).toBe(1);
  });

  it('ends when the document disappears', async () => {
    expect(await collect(follow(async () => undefined, done, { pollMs: 1, heartbeatMs: 10, signal: new AbortController().signal }))).toEqual(['retry: 2000\n\n']);
  });
});
