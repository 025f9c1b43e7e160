/**
 * Groups a live async iterable into batches of whatever has arrived, up to `max`, without waiting
 * for a batch to fill: during catch-up batches are full, when live they are as small as traffic.
 * Ending the source is the caller's job (abort its signal); this never blocks on it.
 */
export async function* batched<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let finished = false;
  let failure: unknown;
  let wakeConsumer = () => {};
  let wakePump = () => {};

  void (async () => {
    try {
      for (;;) {
        if (buffer.length >= max) await new Promise<void>((resolve) => (wakePump = resolve));
        const next = await iterator.next();
        if (next.done) break;
        buffer.push(next.value);
        wakeConsumer();
      }
    } catch (error) {
      failure = error;
    } finally {
      finished = true;
      wakeConsumer();
    }
  })();

  for (;;) {
    if (buffer.length === 0) {
      if (finished) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
      continue;
    }
    const batch = buffer.splice(0, max);
    wakePump();
    yield batch;
  }
  if (failure !== undefined) throw failure;
}
